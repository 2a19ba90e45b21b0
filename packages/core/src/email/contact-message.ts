import { render } from "./templates";

export type ContactMessageMail = {
  name: string;
  email: string;
  company: string | null;
  website: string | null;
  message: string;
  receivedAt: Date;
};

/** A contact-form message, forwarded to the operators' inbox in the shared layout. */
export function contactMessageEmail(to: string, contact: ContactMessageMail) {
  const subject = `Contact form: ${contact.name}${contact.company ? ` (${contact.company})` : ""}`;
  return render(to, subject, [
    `${contact.name} <${contact.email}> wrote through the contact form on ${contact.receivedAt.toUTCString()}:`,
    // Paragraphs as typed (the HTML part would otherwise run them together).
    ...contact.message.split(/\n\s*\n/).map((paragraph) => paragraph.trim()),
    `Company: ${contact.company ?? "(not given)"}`,
    `Website: ${contact.website ?? "(not given)"}`,
    `Reply to: ${contact.email}`,
    "The sender gave these details so we can answer this message, and for nothing else.",
  ]);
}
