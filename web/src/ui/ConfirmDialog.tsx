import { Button, Group, Modal, Text } from '@mantine/core';
import { useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';

export interface ConfirmDialogProps {
  opened: boolean;
  title: string;
  message: ReactNode;
  confirmLabel: string;
  danger?: boolean;
  onConfirm(): Promise<void> | void;
  onClose(): void;
}

/** Asks before something that cannot be undone at a click (deleting, emptying the trash). */
export function ConfirmDialog(props: ConfirmDialogProps) {
  const { t } = useTranslation();
  const [busy, setBusy] = useState(false);
  const confirm = async () => {
    setBusy(true);
    try {
      await props.onConfirm();
      props.onClose();
    } catch {
      // The caller has shown what went wrong; the dialog stays open for another try.
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal
      opened={props.opened}
      onClose={props.onClose}
      title={props.title}
      centered
      attributes={{ content: { 'data-testid': 'confirm-dialog' } }}
    >
      <Text size="sm" mb="lg" style={{ overflowWrap: 'anywhere' }}>
        {props.message}
      </Text>
      <Group justify="flex-end">
        <Button variant="default" onClick={props.onClose}>
          {t('cancel')}
        </Button>
        <Button
          color={props.danger ? 'red' : undefined}
          loading={busy}
          data-autofocus
          onClick={() => void confirm()}
          data-testid="confirm-submit"
        >
          {props.confirmLabel}
        </Button>
      </Group>
    </Modal>
  );
}
