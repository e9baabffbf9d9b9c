export type Severity = 'DEBUG' | 'INFO' | 'NOTICE' | 'WARNING' | 'ERROR' | 'CRITICAL';

export type LogFields = Record<string, unknown>;

export type Logger = (severity: Severity, message: string, fields?: LogFields) => void;

/**
 * One JSON line per event on stdout, which Cloud Logging reads as a structured entry:
 * `severity` and `message` are its own fields, the rest become searchable payload.
 */
export const jsonLogger: Logger = (severity, message, fields = {}) => {
  const line = JSON.stringify({ severity, message, time: new Date().toISOString(), ...fields });
  if (severity === 'ERROR' || severity === 'CRITICAL') process.stderr.write(line + '\n');
  else process.stdout.write(line + '\n');
};

export const silentLogger: Logger = () => {};
