import { Paper, Stack, Text } from '@mantine/core';
import type { ReactNode } from 'react';

export interface StatTileProps {
  label: string;
  value: ReactNode;
  detail?: ReactNode;
  /** A bar or badge under the value. */
  children?: ReactNode;
  testId?: string;
}

/** One figure of the store status: a label, the value, a line of detail. */
export function StatTile({ label, value, detail, children, testId }: StatTileProps) {
  return (
    <Paper withBorder radius="md" p="sm" data-testid={testId}>
      <Stack gap={4}>
        <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
          {label}
        </Text>
        <Text size="lg" fw={600} style={{ overflowWrap: 'anywhere' }}>
          {value}
        </Text>
        {children}
        {detail && (
          <Text size="xs" c="dimmed" style={{ overflowWrap: 'anywhere' }}>
            {detail}
          </Text>
        )}
      </Stack>
    </Paper>
  );
}
