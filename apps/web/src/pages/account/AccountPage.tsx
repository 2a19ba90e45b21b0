import { PageHeader } from "@cac/ui";
import { useMe } from "../../components/MeContext";
import { usePageTitle } from "../../lib/usePageTitle";
import { AvailabilitySection } from "./AvailabilitySection";
import { CloseAccountSection } from "./CloseAccountSection";
import { DataExportSection } from "./DataExportSection";
import { NotificationsSection } from "./NotificationsSection";
import { PasswordSection } from "./PasswordSection";
import { ProfileSection } from "./ProfileSection";
import { SessionsSection } from "./SessionsSection";
import { TimezoneSection } from "./TimezoneSection";

/** The account page: one section per thing the user manages, each in its own file here. */
export function AccountPage() {
  usePageTitle("Account");
  return (
    <div className="stack-lg">
      <PageHeader
        title="Account"
        description="Your profile, the account's timezone, your availability, your notifications, your password, and where you are logged in."
      />
      <ProfileSection />
      <TimezoneSection />
      <AvailabilitySection />
      <NotificationsSection />
      <PasswordSection />
      <SessionsSection />
      <OwnerSections />
    </div>
  );
}

/** Downloading the account's data and closing it are for the owner. */
function OwnerSections() {
  const { user } = useMe();
  if (user.role !== "owner") return null;
  return (
    <>
      {user.role === "owner" ? <DataExportSection /> : null}
      <CloseAccountSection />
    </>
  );
}
