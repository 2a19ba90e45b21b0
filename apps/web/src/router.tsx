import { createBrowserRouter, Navigate, Outlet, ScrollRestoration } from "react-router";
import { Analytics } from "./components/Analytics";
import { AppLayout } from "./components/AppLayout";
import { PublicLayout } from "./components/PublicLayout";
import { RouteError } from "./components/RouteError";
import { RouteFocus } from "./components/RouteFocus";
import { AccountPage } from "./pages/account/AccountPage";
import { BillingPage } from "./pages/billing/BillingPage";
import { EditButtonPage, NewButtonPage } from "./pages/buttons/ButtonEditorPage";
import { ButtonsListPage } from "./pages/buttons/ButtonsListPage";
import { ContactPage } from "./pages/ContactPage";
import { CallbacksPage } from "./pages/callbacks/CallbacksPage";
import { CallsPage } from "./pages/calls/CallsPage";
import { DashboardPage } from "./pages/DashboardPage";
import { DevOutboxPage } from "./pages/DevOutboxPage";
import { ForgotPasswordPage } from "./pages/ForgotPasswordPage";
import { InvitationPage } from "./pages/InvitationPage";
import { LoginPage } from "./pages/LoginPage";
import { NotFoundPage } from "./pages/NotFoundPage";
import { OperatorEventsPage } from "./pages/operator/OperatorEventsPage";
import { OperatorFlagsPage } from "./pages/operator/OperatorFlagsPage";
import { OperatorLayout } from "./pages/operator/OperatorLayout";
import { PoliciesPage } from "./pages/operator/PoliciesPage";
import { ResetPasswordPage } from "./pages/ResetPasswordPage";
import { SignupPage } from "./pages/SignupPage";
import { TeamPage } from "./pages/team/TeamPage";
import { VerifyEmailPage } from "./pages/VerifyEmailPage";

function Root() {
  return (
    <>
      <RouteFocus />
      <Analytics />
      <ScrollRestoration />
      <Outlet />
    </>
  );
}

export const router = createBrowserRouter([
  {
    element: <Root />,
    errorElement: <RouteError />,
    children: [
      {
        element: <PublicLayout />,
        children: [
          { path: "signup", element: <SignupPage /> },
          { path: "login", element: <LoginPage /> },
          { path: "forgot-password", element: <ForgotPasswordPage /> },
          { path: "reset-password", element: <ResetPasswordPage /> },
          { path: "verify-email", element: <VerifyEmailPage /> },
          { path: "invitation", element: <InvitationPage /> },
          { path: "contact", element: <ContactPage /> },
        ],
      },
      {
        element: <PublicLayout width="wide" />,
        children: [
          { path: "dev/outbox", element: <DevOutboxPage /> },
          { path: "*", element: <NotFoundPage /> },
        ],
      },
      {
        path: "/",
        element: <AppLayout />,
        children: [
          { index: true, element: <DashboardPage /> },
          { path: "buttons", element: <ButtonsListPage /> },
          { path: "buttons/new", element: <NewButtonPage /> },
          { path: "buttons/:id", element: <EditButtonPage /> },
          { path: "callbacks", element: <CallbacksPage /> },
          { path: "calls", element: <CallsPage /> },
          { path: "team", element: <TeamPage /> },
          { path: "billing", element: <BillingPage /> },
          { path: "account", element: <AccountPage /> },
          {
            path: "operator",
            element: <OperatorLayout />,
            children: [
              { index: true, element: <Navigate to="flags" replace /> },
              { path: "flags", element: <OperatorFlagsPage /> },
              { path: "events", element: <OperatorEventsPage /> },
              { path: "policies", element: <PoliciesPage /> },
            ],
          },
        ],
      },
    ],
  },
]);
