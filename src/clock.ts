// The one clock type. Whatever needs the time takes a Clock at construction (default: the system's), so tests
// drive time instead of waiting for it. A value `now: number` passed down a call is a moment, not a clock.
export type Clock = () => number;

export const systemClock: Clock = () => Date.now();
