import "./operator.css";
import { NavLink, Outlet } from "react-router";

const sections = [
  { to: "/operator/flags", label: "Flagged IPs" },
  { to: "/operator/events", label: "Security events" },
  { to: "/operator/policies", label: "Policy notices" },
];

/** The operators' pages under one entry of the main navigation, with their own tabs. */
export function OperatorLayout() {
  return (
    <>
      <nav className="operator-tabs" aria-label="Operator">
        <ul>
          {sections.map((section) => (
            <li key={section.to}>
              <NavLink to={section.to} className="operator-tab">
                {section.label}
              </NavLink>
            </li>
          ))}
        </ul>
      </nav>
      <Outlet />
    </>
  );
}
