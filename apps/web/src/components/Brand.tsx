import { Link } from "react-router";

export function BrandMark() {
  return (
    <svg className="brand-mark" viewBox="0 0 32 32" aria-hidden="true">
      <rect width="32" height="32" rx="8" fill="currentColor" />
      <path
        fill="#fff"
        d="M12.3 8.5c.4-.1.9.1 1.1.5l1.6 3.6c.2.4.1.9-.3 1.2l-1.7 1.4a11 11 0 0 0 3.8 3.8l1.4-1.7c.3-.4.8-.5 1.2-.3l3.6 1.6c.4.2.6.7.5 1.1l-.6 2.6c-.1.5-.5.8-1 .8A13.9 13.9 0 0 1 8 9.9c0-.5.3-.9.8-1l2.6-.6z"
      />
    </svg>
  );
}

export function Brand({ to = "/" }: { to?: string }) {
  return (
    <Link to={to} className="brand">
      <BrandMark />
      <span className="brand-name">Click &amp; Call</span>
    </Link>
  );
}
