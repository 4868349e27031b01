import { Stack } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { ScrollPage } from '../ui/ScrollPage';
import { MaintenanceSection } from './MaintenanceSection';
import { StoreSection } from './StoreSection';
import { UsersSection } from './UsersSection';

/** Administration (admins only; the route checks the role, the server checks it again). */
export function AdminPage() {
  const { t } = useTranslation('admin');
  return (
    <ScrollPage title={t('title')} testId="admin-page">
      <Stack gap="lg">
        <UsersSection />
        <StoreSection />
        <MaintenanceSection />
      </Stack>
    </ScrollPage>
  );
}
