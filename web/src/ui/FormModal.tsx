import { Button, Group, Modal, Stack } from '@mantine/core';
import type { FormEvent, ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorAlert } from './ErrorAlert';

export interface FormModalProps {
  opened: boolean;
  title: string;
  /** On the dialog's content, which exists only while it is open. */
  testId: string;
  /** The server's refusal, shown above the fields. */
  error: string | null;
  busy: boolean;
  submitLabel: string;
  submitTestId: string;
  submitDisabled?: boolean;
  onSubmit(): void;
  onClose(): void;
  children: ReactNode;
}

/** A dialog holding one small form: its fields, the server's refusal, Cancel and the submit button. */
export function FormModal(props: FormModalProps) {
  const { t } = useTranslation();
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!props.submitDisabled) props.onSubmit();
  };
  return (
    <Modal
      opened={props.opened}
      onClose={props.onClose}
      title={props.title}
      centered
      attributes={{ content: { 'data-testid': props.testId } }}
    >
      <form onSubmit={submit}>
        <Stack>
          <ErrorAlert error={props.error} />
          {props.children}
          <Group justify="flex-end" gap="sm">
            <Button variant="default" onClick={props.onClose} disabled={props.busy}>
              {t('cancel')}
            </Button>
            <Button
              type="submit"
              loading={props.busy}
              disabled={props.submitDisabled}
              data-testid={props.submitTestId}
            >
              {props.submitLabel}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
