import { Alert, Badge, Card, PageHeader } from "@cac/ui";
import { type ReactNode, useEffect, useState } from "react";
import { Link, useLocation, useNavigate } from "react-router";
import { useMe } from "../components/MeContext";
import { displayUrl, formatUsPhone } from "../lib/format";
import { usePageTitle } from "../lib/usePageTitle";
import { InstallStatusList } from "./buttons/InstallStatus";

type Step = { title: string; done: boolean; body: ReactNode };

export function DashboardPage() {
  usePageTitle("Dashboard");
  const { user, account } = useMe();
  const location = useLocation();
  const navigate = useNavigate();
  // A one-time message from the page that sent us here (email confirmed, password reset).
  const [flash] = useState(() => (location.state as { flash?: string } | null)?.flash ?? null);
  useEffect(() => {
    if (location.state) navigate(location.pathname, { replace: true, state: null });
  }, [location, navigate]);

  const firstName = user.name.split(/\s+/)[0] ?? user.name;
  const steps: Step[] = [
    {
      title: "Confirm your email address",
      done: user.emailVerified,
      body: user.emailVerified ? (
        <>We write to {user.email}.</>
      ) : (
        <>
          Open the link we sent to {user.email}. You can send a new one from the banner above. Until then your
          buttons are in test mode: they work in the preview, not on your website.
        </>
      ),
    },
    {
      title: "Create a call button",
      done: false,
      body: (
        <>
          Choose its label, colors and opening hours in <Link to="/buttons">Buttons</Link>.
        </>
      ),
    },
    {
      title: `Add it to ${displayUrl(account.websiteUrl)}`,
      done: false,
      body: <>Paste one line of HTML into your site. It works with any website builder.</>,
    },
    {
      title: "Take your first call",
      done: false,
      body: <>Answer in this portal, in the browser, or on {formatUsPhone(account.phone)}.</>,
    },
  ];

  return (
    <div className="stack-lg">
      {flash ? <Alert tone="success">{flash}</Alert> : null}
      <PageHeader
        title={`Welcome, ${firstName}`}
        description={`This is the Click & Call portal for ${account.companyName}.`}
      />
      <div className="dashboard-grid">
        <Card title="Get started" description="Four steps from here to your first call." id="get-started">
          <ol className="steps">
            {steps.map((step) => (
              <li key={step.title} className={step.done ? "step step--done" : "step"}>
                <span className="step-marker" aria-hidden="true">
                  {step.done ? "✓" : ""}
                </span>
                <div>
                  <h3 className="step-title">
                    {step.title} {step.done ? <Badge tone="success">Done</Badge> : null}
                  </h3>
                  <p className="step-body">{step.body}</p>
                </div>
              </li>
            ))}
          </ol>
        </Card>
        <Card title="Installation" id="install-status" footer={<Link to="/buttons">Manage buttons</Link>}>
          <InstallStatusList />
        </Card>
        <Card
          title="Your account"
          id="account-summary"
          footer={<Link to="/account">Edit account settings</Link>}
        >
          <dl className="facts">
            <div>
              <dt>Company</dt>
              <dd>{account.companyName}</dd>
            </div>
            <div>
              <dt>Website</dt>
              <dd className="break">{displayUrl(account.websiteUrl)}</dd>
            </div>
            <div>
              <dt>Phone</dt>
              <dd>{formatUsPhone(account.phone)}</dd>
            </div>
            <div>
              <dt>Plan</dt>
              <dd className="capitalize">{account.plan}</dd>
            </div>
          </dl>
        </Card>
      </div>
    </div>
  );
}
