import '@mantine/core/styles.css';
import '@mantine/notifications/styles.css';
import './i18n';
import { localStorageColorSchemeManager, MantineProvider } from '@mantine/core';
import { Notifications } from '@mantine/notifications';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { BrowserRouter } from 'react-router';
import { ApiError } from './api/client';
import { App } from './app/App';
import { theme } from './app/theme';
import { SessionProvider } from './auth/session';
import { basePath } from './env';
import { UploadProvider } from './upload/UploadProvider';

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      // 4xx answers are final; only network trouble and 5xx are worth another try.
      retry: (count, error) => count < 2 && !(error instanceof ApiError && error.status < 500),
      refetchOnWindowFocus: false,
    },
  },
});

const colorSchemeManager = localStorageColorSchemeManager({ key: 'hubdrive.theme' });

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <MantineProvider theme={theme} defaultColorScheme="auto" colorSchemeManager={colorSchemeManager}>
      <Notifications position="bottom-left" />
      <QueryClientProvider client={queryClient}>
        <BrowserRouter basename={basePath || '/'}>
          <SessionProvider>
            <UploadProvider>
              <App />
            </UploadProvider>
          </SessionProvider>
        </BrowserRouter>
      </QueryClientProvider>
    </MantineProvider>
  </StrictMode>,
);
