import { Alert, Card, PageHeader } from "@cac/ui";
import { useEffect, useState } from "react";
import { Link, useLocation, useNavigate } from "react-router";
import { useMe } from "../components/MeContext";
import { displayUrl, formatUsPhone } from "../lib/format";
import { usePageTitle } from "../lib/usePageTitle";
import { InstallStatusList } from "./buttons/InstallStatus";
import { DashboardStatus } from "./dashboard/DashboardStatus";

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

  return (
    <div className="stack-lg">
      {flash ? <Alert tone="success">{flash}</Alert> : null}
      <PageHeader
        title={`Welcome, ${firstName}`}
        description={`This is the Click & Call portal for ${account.companyName}.`}
      />
      <div className="dashboard-grid">
        <DashboardStatus />
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
              <dt>Timezone</dt>
              <dd>{account.timezone}</dd>
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
