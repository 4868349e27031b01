import { Box, Button, Center, Container, Group, Loader, Stack, Text, Title } from '@mantine/core';
import { useDocumentTitle } from '@mantine/hooks';
import { useQuery } from '@tanstack/react-query';
import { CircleAlert, Clock, Link2Off } from 'lucide-react';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { useParams } from 'react-router';
import { api } from '../api/client';
import { Preferences } from '../app/Preferences';
import { messageOf } from '../ui/errors';
import { pathOfSplat } from '../ui/paths';
import { shareInfoKey, sharePath, shareProblemOf } from './share-problems';
import type { SharedInfo } from './share-types';
import { SharedFileView } from './SharedFileView';
import { SharedFolderView } from './SharedFolderView';
import { ShareUnlockForm } from './ShareUnlockForm';
import logo from '../assets/logo.svg';

/**
 * What a visitor of a share link sees (`/s/:token/*`, the rest being a folder inside a shared
 * folder). It calls only the public /api/s/:token endpoints: no sign-in is needed or used.
 */
export function PublicSharePage() {
  const { t } = useTranslation('share');
  const params = useParams();
  const token = params.token ?? '';
  const info = useQuery({
    queryKey: shareInfoKey(token),
    queryFn: async ({ signal }) => (await api<{ share: SharedInfo }>(sharePath(token), { signal })).share,
    retry: false,
  });
  useDocumentTitle(info.data ? `${info.data.name} · hubdrive` : 'hubdrive');

  let body: ReactNode;
  if (info.isPending) {
    body = (
      <Center py={80}>
        <Loader />
      </Center>
    );
  } else if (info.error) {
    const problem = shareProblemOf(info.error);
    if (problem === 'locked') body = <ShareUnlockForm token={token} name={null} />;
    else if (problem === 'other') {
      body = (
        <Problem icon={<CircleAlert size={40} />} title={t('public.loadFailed')} text={messageOf(info.error)}>
          <Button variant="default" onClick={() => void info.refetch()}>
            {t('common:retry')}
          </Button>
        </Problem>
      );
    } else {
      body = (
        <Problem
          icon={problem === 'expired' ? <Clock size={40} /> : <Link2Off size={40} />}
          title={t(`public.problem.${problem}.title`)}
          text={t(`public.problem.${problem}.text`)}
          testId={`share-${problem}`}
        />
      );
    }
  } else if (info.data.needsPassword && !info.data.unlocked) {
    body = <ShareUnlockForm token={token} name={info.data.name} />;
  } else if (info.data.kind === 'file') {
    body = <SharedFileView token={token} info={info.data} />;
  } else {
    const path = pathOfSplat(params['*']);
    // Keyed by folder: selection and preview belong to the folder they were made in.
    body = <SharedFolderView key={path} token={token} info={info.data} path={path} />;
  }

  return (
    <Box mih="100dvh" data-testid="share-page">
      <Box
        component="header"
        px="md"
        py="xs"
        style={{ borderBottom: '1px solid var(--mantine-color-default-border)' }}
      >
        <Group justify="space-between" wrap="nowrap">
          <Group gap={8} wrap="nowrap">
            <img src={logo} alt="" width={26} height={26} />
            <Text fw={700}>hubdrive</Text>
            <Text size="sm" c="dimmed" visibleFrom="xs">
              · {t('public.sharedWithYou')}
            </Text>
          </Group>
          <Preferences />
        </Group>
      </Box>
      <Container size="lg" px={{ base: 'sm', sm: 'md' }} py="md" component="main">
        {body}
      </Container>
    </Box>
  );
}

function Problem(props: {
  icon: ReactNode;
  title: string;
  text: string;
  testId?: string;
  children?: ReactNode;
}) {
  return (
    <Stack align="center" gap="sm" py={64} data-testid={props.testId}>
      <Box c="dimmed">{props.icon}</Box>
      <Title order={1} size="h3" ta="center">
        {props.title}
      </Title>
      <Text c="dimmed" ta="center" maw={460}>
        {props.text}
      </Text>
      {props.children}
    </Stack>
  );
}
