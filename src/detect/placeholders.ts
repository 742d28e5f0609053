// Placeholder values the built-in rules rely on, used when `detect.placeholders` does not set them, so the
// pack loads with no configuration and an operator tunes it in one place.
export const DEFAULT_PLACEHOLDERS: Readonly<Record<string, readonly string[]>> = {
  /** Wazuh rule levels the "Wazuh Alert At Or Above The Forwarding Level" rule forwards: 12-16 by default. */
  wazuh_forward_levels: ['12', '13', '14', '15', '16'],
};
