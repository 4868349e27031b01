import { Button, Group, Modal, Stack, Text } from '@mantine/core';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';

export interface ConfirmModalProps {
  opened: boolean;
  title: string;
  message: ReactNode;
  confirmLabel: string;
  /** A destructive action: the button is red. */
  danger?: boolean;
  loading?: boolean;
  onConfirm(): void;
  onClose(): void;
}

/** Asks before an action that cannot be undone (`confirm-dialog`, `confirm-submit`). */
export function ConfirmModal(props: ConfirmModalProps) {
  const { t } = useTranslation();
  return (
    <Modal
      opened={props.opened}
      onClose={props.onClose}
      title={props.title}
      centered
      data-testid="confirm-dialog"
    >
      <Stack>
        {typeof props.message === 'string' ? <Text size="sm">{props.message}</Text> : props.message}
        <Group justify="flex-end" gap="sm">
          <Button variant="default" onClick={props.onClose} disabled={props.loading}>
            {t('cancel')}
          </Button>
          <Button
            color={props.danger ? 'red' : undefined}
            loading={props.loading}
            onClick={props.onConfirm}
            data-testid="confirm-submit"
            data-autofocus
          >
            {props.confirmLabel}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
