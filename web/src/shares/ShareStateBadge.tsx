import { Badge } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import type { ShareState } from './share-types';

const COLORS: Record<ShareState, string> = {
  active: 'teal',
  expired: 'gray',
  exhausted: 'orange',
  trashed: 'red',
};

export function ShareStateBadge({ state }: { state: ShareState }) {
  const { t } = useTranslation('share');
  return (
    <Badge color={COLORS[state]} variant="light" data-testid="share-state" data-state={state}>
      {t(`state.${state}`)}
    </Badge>
  );
}
