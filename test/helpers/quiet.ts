import pino from 'pino';

/** A logger that writes nothing (set VIGIL_TEST_LOG=debug to see it). */
export const quietLog = pino({ level: process.env.VIGIL_TEST_LOG ?? 'silent' });
