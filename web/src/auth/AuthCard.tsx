import { Center, Group, Paper, Stack, Text, Title } from '@mantine/core';
import type { ReactNode } from 'react';
import { Preferences } from '../app/Preferences';
import logo from '../assets/logo.svg';

/** The centred card of the sign-in and first-run pages, with the language and theme switches. */
export function AuthCard({
  title,
  subtitle,
  children,
}: {
  title: string;
  subtitle?: string;
  children: ReactNode;
}) {
  return (
    <Center mih="100dvh" p="md">
      <Stack w="100%" maw={400} gap="md">
        <Group justify="space-between">
          <Group gap={8}>
            <img src={logo} alt="" width={28} height={28} />
            <Text fw={700} size="lg">
              hubdrive
            </Text>
          </Group>
          <Preferences />
        </Group>
        <Paper withBorder shadow="sm" radius="md" p="xl">
          <Title order={2} size="h3" mb={subtitle ? 4 : 'md'}>
            {title}
          </Title>
          {subtitle && (
            <Text c="dimmed" size="sm" mb="md">
              {subtitle}
            </Text>
          )}
          {children}
        </Paper>
      </Stack>
    </Center>
  );
}
