import { PageHeader } from "@cac/ui";
import { useMe } from "../../components/MeContext";
import { usePageTitle } from "../../lib/usePageTitle";
import { InvitationsSection } from "./InvitationsSection";
import { MembersSection } from "./MembersSection";
import type { Role } from "./roles";
import { TeamSeats } from "./TeamSeats";
import "./team.css";

/** The team: members, roles, who is reachable, and (for owners and admins) invitations. */
export function TeamPage() {
  usePageTitle("Team");
  const { user } = useMe();
  const role = user.role as Role;
  const manages = role === "owner" || role === "admin";
  return (
    <div className="stack">
      <PageHeader
        title="Team"
        description="Everyone who answers this account's calls, and who can take one now."
      />
      <TeamSeats actor={manages ? role : null} />
      <MembersSection />
      {manages ? <InvitationsSection /> : null}
    </div>
  );
}
