import type { FileConfig, ProfileFields } from '../config.js';

export interface SenderProfile {
  /** Stable sender key: MSH-3 namespace | MSH-4 namespace, as stored on messages. */
  sender: string;
  profile: ProfileFields;
  configured: boolean;
}

export function senderKey(application: string | undefined, facility: string | undefined): string {
  return `${application ?? ''}|${facility ?? ''}`;
}

/** Finds the sender's profile: exact application+facility first, then the application alone, then the default. */
export function resolveProfile(config: FileConfig, application: string | undefined, facility: string | undefined): SenderProfile | undefined {
  const sender = senderKey(application, facility);
  const exact = config.senders.find((s) => s.application === application && s.facility !== undefined && s.facility === facility);
  const byApp = exact ?? config.senders.find((s) => s.application === application && s.facility === undefined);
  if (byApp) return { sender, profile: byApp, configured: true };
  if (config.unknownSenders === 'reject') return undefined;
  return { sender, profile: config.defaultProfile, configured: false };
}
