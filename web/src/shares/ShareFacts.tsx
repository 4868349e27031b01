import { Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { formatDate } from '../ui/format';
import type { SharedInfo } from './share-types';

/** Until when the link works and how many downloads it has left, when limited. */
export function ShareFacts({ info }: { info: SharedInfo }) {
  const { t, i18n } = useTranslation('share');
  const parts: string[] = [];
  if (info.expiresAt !== null)
    parts.push(t('public.expiresAt', { date: formatDate(info.expiresAt, i18n.language) }));
  if (info.downloadsLeft !== null) parts.push(t('public.downloadsLeft', { count: info.downloadsLeft }));
  if (parts.length === 0) return null;
  return (
    <Text size="xs" c="dimmed" data-testid="share-facts">
      {parts.join(' · ')}
    </Text>
  );
}
