import { Stack } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { ScrollPage } from '../ui/ScrollPage';
import { AccountSection } from './AccountSection';
import { AppearanceSection } from './AppearanceSection';
import { StorageSection } from './StorageSection';
import { WebdavSection } from './WebdavSection';

/** Settings, one card per topic on a single page (every control reachable without switching tabs). */
export function SettingsPage() {
  const { t } = useTranslation('settings');
  return (
    <ScrollPage title={t('title')} testId="settings-page">
      <Stack gap="lg" maw={900}>
        <AccountSection />
        <StorageSection />
        <WebdavSection />
        <AppearanceSection />
      </Stack>
    </ScrollPage>
  );
}
