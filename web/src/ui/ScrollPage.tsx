import { Box, Container, Group, Title } from '@mantine/core';
import type { ReactNode } from 'react';

export interface ScrollPageProps {
  title: string;
  /** Buttons beside the title. */
  actions?: ReactNode;
  children: ReactNode;
  testId?: string;
}

/** A page of the signed-in frame that scrolls on its own (the frame's main area has a fixed height). */
export function ScrollPage({ title, actions, children, testId }: ScrollPageProps) {
  return (
    <Box style={{ flex: 1, minHeight: 0, overflowY: 'auto' }} data-testid={testId}>
      <Container size="lg" px={{ base: 'sm', sm: 'md' }} py="md">
        <Group justify="space-between" align="center" mb="md" gap="sm">
          <Title order={1} size="h3">
            {title}
          </Title>
          {actions}
        </Group>
        {children}
      </Container>
    </Box>
  );
}
