import { AppShell, Burger, Group, Menu, NavLink, Progress, Stack, Text, UnstyledButton } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { FolderOpen, LogOut, Settings, Share2, Shield, Trash2, UserRound } from 'lucide-react';
import { useTranslation } from 'react-i18next';
import { Link, Outlet, useLocation, useNavigate } from 'react-router';
import { useSession, useUser } from '../auth/session';
import { formatBytes } from '../ui/format';
import { usageFraction } from '../ui/usage';
import { Preferences } from './Preferences';
import { SearchBox } from '../files/SearchBox';
import { UploadPanel } from '../upload/UploadPanel';
import logo from '../assets/logo.svg';

const NAV = [
  { to: '/files', icon: FolderOpen, label: 'nav.files', testid: 'nav-files' },
  { to: '/shares', icon: Share2, label: 'nav.shares', testid: 'nav-shares' },
  { to: '/trash', icon: Trash2, label: 'nav.trash', testid: 'nav-trash' },
  { to: '/settings', icon: Settings, label: 'nav.settings', testid: 'nav-settings' },
] as const;

function Usage() {
  const { t } = useTranslation();
  const user = useUser();
  const quota = user.quotaBytes;
  return (
    <Stack gap={4} data-testid="usage">
      <Text size="xs" c="dimmed">
        {quota === null
          ? t('usageNoQuota', { used: formatBytes(user.usedBytes) })
          : t('usageOfQuota', { used: formatBytes(user.usedBytes), quota: formatBytes(quota) })}
      </Text>
      {quota !== null && (
        <Progress size="sm" value={Math.min(100, usageFraction(user.usedBytes, quota) * 100)} />
      )}
    </Stack>
  );
}

/** The signed-in frame: header (search, preferences, account), navigation, the page, the upload panel. */
export function Shell() {
  const { t } = useTranslation();
  const [opened, { toggle, close }] = useDisclosure();
  const user = useUser();
  const { signOut } = useSession();
  const location = useLocation();
  const navigate = useNavigate();

  const items =
    user.role === 'admin'
      ? [...NAV, { to: '/admin', icon: Shield, label: 'nav.admin', testid: 'nav-admin' }]
      : NAV;
  return (
    <AppShell
      header={{ height: 56 }}
      navbar={{ width: 220, breakpoint: 'sm', collapsed: { mobile: !opened } }}
      padding={0}
    >
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap" gap="sm">
          <Group gap="xs" wrap="nowrap">
            <Burger opened={opened} onClick={toggle} hiddenFrom="sm" size="sm" aria-label={t('menu')} />
            <UnstyledButton component={Link} to="/files" aria-label="hubdrive">
              <Group gap={8} wrap="nowrap">
                <img src={logo} alt="" width={26} height={26} />
                <Text fw={700} visibleFrom="xs">
                  hubdrive
                </Text>
              </Group>
            </UnstyledButton>
          </Group>
          <SearchBox />
          <Group gap={4} wrap="nowrap">
            <Preferences />
            <Menu position="bottom-end" withinPortal>
              <Menu.Target>
                <UnstyledButton data-testid="account-menu" aria-label={t('account')}>
                  <Group gap={6} wrap="nowrap" px={6}>
                    <UserRound size={18} />
                    <Text size="sm" visibleFrom="sm">
                      {user.username}
                    </Text>
                  </Group>
                </UnstyledButton>
              </Menu.Target>
              <Menu.Dropdown>
                <Menu.Item leftSection={<Settings size={16} />} onClick={() => navigate('/settings')}>
                  {t('nav.settings')}
                </Menu.Item>
                <Menu.Item
                  leftSection={<LogOut size={16} />}
                  data-testid="logout"
                  onClick={() => void signOut().then(() => navigate('/login'))}
                >
                  {t('signOut')}
                </Menu.Item>
              </Menu.Dropdown>
            </Menu>
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="sm">
        <AppShell.Section grow>
          {items.map((item) => (
            <NavLink
              key={item.to}
              component={Link}
              to={item.to}
              label={t(item.label)}
              leftSection={<item.icon size={18} />}
              active={location.pathname === item.to || location.pathname.startsWith(`${item.to}/`)}
              onClick={close}
              data-testid={item.testid}
            />
          ))}
        </AppShell.Section>
        <AppShell.Section>
          <Usage />
        </AppShell.Section>
      </AppShell.Navbar>
      <AppShell.Main h="100dvh" style={{ display: 'flex', flexDirection: 'column' }}>
        <Outlet />
      </AppShell.Main>
      <UploadPanel />
    </AppShell>
  );
}
