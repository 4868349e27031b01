import { Alert } from '@mantine/core';

/** What the server refused, above the form that asked (nothing when there is no error). */
export function ErrorAlert({ error, testId }: { error: string | null; testId?: string }) {
  if (!error) return null;
  return (
    <Alert color="red" role="alert" data-testid={testId} style={{ overflowWrap: 'anywhere' }}>
      {error}
    </Alert>
  );
}
