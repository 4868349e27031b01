import {
  ActionIcon,
  Group,
  Menu,
  Tooltip,
  useComputedColorScheme,
  useMantineColorScheme,
} from '@mantine/core';
import { Languages, Moon, Sun } from 'lucide-react';
import { useTranslation } from 'react-i18next';
import { LANGUAGES, setLanguage } from '../i18n';

/** The language menu and the light/dark switch. */
export function Preferences() {
  const { t, i18n } = useTranslation();
  const { setColorScheme } = useMantineColorScheme();
  const scheme = useComputedColorScheme('light');
  return (
    <Group gap={4} wrap="nowrap">
      <Menu position="bottom-end" withinPortal>
        <Menu.Target>
          <Tooltip label={t('language')}>
            <ActionIcon variant="subtle" size="lg" aria-label={t('language')} data-testid="language-menu">
              <Languages size={18} />
            </ActionIcon>
          </Tooltip>
        </Menu.Target>
        <Menu.Dropdown>
          {LANGUAGES.map((language) => (
            <Menu.Item
              key={language.code}
              onClick={() => setLanguage(language.code)}
              data-testid={`language-${language.code}`}
              fw={i18n.language === language.code ? 700 : undefined}
            >
              {language.label}
            </Menu.Item>
          ))}
        </Menu.Dropdown>
      </Menu>
      <Tooltip label={scheme === 'dark' ? t('lightTheme') : t('darkTheme')}>
        <ActionIcon
          variant="subtle"
          size="lg"
          aria-label={scheme === 'dark' ? t('lightTheme') : t('darkTheme')}
          data-testid="theme-toggle"
          onClick={() => setColorScheme(scheme === 'dark' ? 'light' : 'dark')}
        >
          {scheme === 'dark' ? <Sun size={18} /> : <Moon size={18} />}
        </ActionIcon>
      </Tooltip>
    </Group>
  );
}
