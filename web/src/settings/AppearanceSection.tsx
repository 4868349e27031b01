import { SegmentedControl, Stack, Text, useMantineColorScheme, type MantineColorScheme } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { LANGUAGES, setLanguage, type Language } from '../i18n';
import { SectionCard } from '../ui/SectionCard';

/** Language and theme (the same choices as the header's switches, saved in this browser). */
export function AppearanceSection() {
  const { t, i18n } = useTranslation('settings');
  const { colorScheme, setColorScheme } = useMantineColorScheme();
  const schemes: { value: MantineColorScheme; label: string }[] = [
    { value: 'light', label: t('appearance.light') },
    { value: 'dark', label: t('appearance.dark') },
    { value: 'auto', label: t('appearance.auto') },
  ];
  return (
    <SectionCard
      title={t('appearance.title')}
      description={t('appearance.intro')}
      testId="settings-appearance"
      id="appearance"
    >
      <Stack gap={6}>
        <Text size="sm" fw={500} id="settings-language">
          {t('appearance.language')}
        </Text>
        <SegmentedControl<Language>
          aria-labelledby="settings-language"
          value={LANGUAGES.some((l) => l.code === i18n.language) ? (i18n.language as Language) : 'en'}
          onChange={setLanguage}
          data={LANGUAGES.map((l) => ({ value: l.code, label: l.label }))}
          style={{ alignSelf: 'flex-start' }}
          data-testid="settings-language"
        />
      </Stack>
      <Stack gap={6}>
        <Text size="sm" fw={500} id="settings-theme">
          {t('appearance.theme')}
        </Text>
        <SegmentedControl<MantineColorScheme>
          aria-labelledby="settings-theme"
          value={colorScheme}
          onChange={setColorScheme}
          data={schemes}
          style={{ alignSelf: 'flex-start' }}
          data-testid="settings-theme"
        />
      </Stack>
    </SectionCard>
  );
}
