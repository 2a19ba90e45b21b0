import "./team-presence.css";
import { Link } from "react-router";
import { useMe } from "../components/MeContext";
import { useTeamPresence } from "./team-presence";

/**
 * The phone panel's view of the team: how many teammates can take a call now, and who, live. It
 * links to the Team page.
 */
export function TeamPresence() {
  const { user } = useMe();
  const { members } = useTeamPresence();
  if (members.isPending) {
    return <p className="phone-team phone-team--quiet">Checking who is reachable…</p>;
  }
  if (members.isError) {
    return <p className="phone-team phone-team--error">Could not load who is reachable.</p>;
  }
  const teammates = members.data.filter((member) => member.userId !== user.id);
  if (teammates.length === 0) {
    return (
      <Link to="/team" className="phone-team phone-team--quiet">
        No teammates yet
      </Link>
    );
  }
  const reachable = teammates.filter((member) => member.reachable);
  return (
    <Link to="/team" className="phone-team" data-testid="team-presence">
      <span className="phone-team-count">
        {reachable.length} of {teammates.length} teammate{teammates.length === 1 ? "" : "s"} reachable
      </span>
      {reachable.length > 0 ? (
        <span className="phone-team-names">: {reachable.map((member) => member.name).join(", ")}</span>
      ) : null}
    </Link>
  );
}
