import { Accordion, Code, Divider, Stack, Text, TextInput, Title } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { useUser } from '../auth/session';
import { basePath } from '../env';
import { CopyIconButton } from '../ui/CopyIconButton';
import { SectionCard } from '../ui/SectionCard';
import { AppPasswords } from './AppPasswords';

/** The WebDAV address of this drive, as a browser here reaches it. */
export function webdavUrl(): string {
  return `${window.location.origin}${basePath}/dav/`;
}

function CopyField({ value, label, testId }: { value: string; label: string; testId: string }) {
  return (
    <TextInput
      label={label}
      value={value}
      readOnly
      onFocus={(e) => e.currentTarget.select()}
      data-testid={testId}
      rightSection={<CopyIconButton value={value} />}
    />
  );
}

function Command({ children }: { children: string }) {
  return (
    <Code block style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }}>
      {children}
    </Code>
  );
}

/** How to connect: the address, a short guide per client, and the app passwords clients sign in with. */
export function WebdavSection() {
  const { t } = useTranslation('settings');
  const user = useUser();
  const url = webdavUrl();
  const insecure = window.location.protocol !== 'https:';
  return (
    <SectionCard
      title={t('webdav.title')}
      description={t('webdav.intro')}
      testId="settings-webdav"
      id="webdav"
    >
      <Stack gap="sm">
        <CopyField value={url} label={t('webdav.address')} testId="webdav-url" />
        <CopyField value={user.username} label={t('webdav.username')} testId="webdav-username" />
        <Text size="xs" c="dimmed">
          {t('webdav.passwordHint')}
        </Text>
      </Stack>
      <Accordion variant="separated" chevronPosition="right">
        <Accordion.Item value="windows">
          <Accordion.Control>{t('webdav.windows.title')}</Accordion.Control>
          <Accordion.Panel>
            <Stack gap="xs">
              <Text size="sm">{t('webdav.windows.steps')}</Text>
              <Command>{`net use Z: ${url} /user:${user.username} *`}</Command>
              <Text size="xs" c="dimmed">
                {insecure ? t('webdav.windows.httpNote') : t('webdav.windows.note')}
              </Text>
            </Stack>
          </Accordion.Panel>
        </Accordion.Item>
        <Accordion.Item value="macos">
          <Accordion.Control>{t('webdav.macos.title')}</Accordion.Control>
          <Accordion.Panel>
            <Stack gap="xs">
              <Text size="sm">{t('webdav.macos.steps')}</Text>
              <Command>{url}</Command>
            </Stack>
          </Accordion.Panel>
        </Accordion.Item>
        <Accordion.Item value="linux">
          <Accordion.Control>{t('webdav.linux.title')}</Accordion.Control>
          <Accordion.Panel>
            <Stack gap="xs">
              <Text size="sm">{t('webdav.linux.steps')}</Text>
              <Command>{`sudo mount -t davfs ${url} /mnt/hubdrive`}</Command>
            </Stack>
          </Accordion.Panel>
        </Accordion.Item>
        <Accordion.Item value="rclone">
          <Accordion.Control>{t('webdav.rclone.title')}</Accordion.Control>
          <Accordion.Panel>
            <Stack gap="xs">
              <Text size="sm">{t('webdav.rclone.steps')}</Text>
              <Command>
                {`rclone config create hubdrive webdav url=${url} vendor=other user=${user.username} pass='…' --obscure\nrclone copy ~/Pictures hubdrive:Pictures --progress\nrclone mount hubdrive: ~/hubdrive --vfs-cache-mode writes`}
              </Command>
            </Stack>
          </Accordion.Panel>
        </Accordion.Item>
      </Accordion>
      <Divider />
      <Stack gap={4}>
        <Title order={3} size="h5">
          {t('appPasswords.title')}
        </Title>
        <Text size="sm" c="dimmed">
          {t('appPasswords.intro')}
        </Text>
      </Stack>
      <AppPasswords />
    </SectionCard>
  );
}
