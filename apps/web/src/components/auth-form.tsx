'use client';

import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { signIn } from 'next-auth/react';
import { useState, type FormEvent } from 'react';
import { LIMITS, normalizeUserText, passwordWeakness } from '@pixtale/shared';
import { messageForAuthError } from '@/lib/errors';
import { usePublicConfig } from './providers';
import { Alert, Button, Card, TextField } from './ui';

type Mode = 'login' | 'signup';
type FieldErrors = Partial<Record<'email' | 'password' | 'displayName', string>>;

const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function validateAuthInput(mode: Mode, v: { email: string; password: string; displayName: string }): FieldErrors {
  const errors: FieldErrors = {};
  if (!EMAIL_RE.test(v.email.trim())) errors.email = 'Enter an email address like name@example.com.';
  if (mode === 'signup') {
    const weakness = passwordWeakness(v.password);
    if (weakness) errors.password = `${weakness}.`;
    const name = normalizeUserText(v.displayName);
    if (!name) errors.displayName = v.displayName.trim() ? 'Your name needs visible characters (invisible and control characters are removed).' : 'Tell us what to call you.';
    else if (name.length > LIMITS.displayNameMaxLength)
      errors.displayName = `Keep it under ${LIMITS.displayNameMaxLength} characters.`;
  } else if (!v.password) {
    errors.password = 'Enter your password.';
  }
  return errors;
}

export function AuthForm({ mode, callbackUrl, initialError }: { mode: Mode; callbackUrl: string; initialError?: string | undefined }) {
  const router = useRouter();
  const { googleEnabled } = usePublicConfig();
  const [values, setValues] = useState({ email: '', password: '', displayName: '' });
  const [fieldErrors, setFieldErrors] = useState<FieldErrors>({});
  const [formError, setFormError] = useState<string | undefined>(initialError ? messageForAuthError(initialError) : undefined);
  const [busy, setBusy] = useState(false);

  const set = (key: keyof typeof values) => (e: { target: { value: string } }) =>
    setValues((v) => ({ ...v, [key]: e.target.value }));

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    const errors = validateAuthInput(mode, values);
    setFieldErrors(errors);
    setFormError(undefined);
    if (Object.keys(errors).length > 0) {
      const first = Object.keys(errors)[0];
      document.getElementById(`auth-${first}`)?.focus();
      return;
    }
    setBusy(true);
    const result = await signIn('credentials', {
      redirect: false,
      intent: mode,
      email: values.email.trim(),
      password: values.password,
      displayName: values.displayName.trim(),
    });
    if (!result || result.error) {
      setBusy(false);
      setFormError(messageForAuthError(result?.error));
      return;
    }
    router.replace(callbackUrl);
    router.refresh();
  }

  const isSignup = mode === 'signup';
  return (
    <div className="mx-auto max-w-md">
      <Card className="p-6 sm:p-8">
        <h1 className="text-2xl font-bold tracking-tight">{isSignup ? 'Create your account' : 'Log in to Pixtale'}</h1>
        <p className="mt-1 text-sm text-muted">
          {isSignup ? 'Share photos and let our model write the first caption.' : 'Welcome back.'}
        </p>
        {formError && <Alert className="mt-5">{formError}</Alert>}
        <form className="mt-6 space-y-4" onSubmit={onSubmit} noValidate>
          {isSignup && (
            <TextField
              id="auth-displayName"
              label="Display name"
              name="displayName"
              autoComplete="nickname"
              value={values.displayName}
              onChange={set('displayName')}
              error={fieldErrors.displayName}
              maxLength={LIMITS.displayNameMaxLength}
            />
          )}
          <TextField
            id="auth-email"
            label="Email"
            name="email"
            type="email"
            autoComplete="email"
            inputMode="email"
            value={values.email}
            onChange={set('email')}
            error={fieldErrors.email}
          />
          <TextField
            id="auth-password"
            label="Password"
            name="password"
            type="password"
            autoComplete={isSignup ? 'new-password' : 'current-password'}
            value={values.password}
            onChange={set('password')}
            error={fieldErrors.password}
            hint={isSignup ? `At least ${LIMITS.passwordMinLength} characters, with a letter and a digit or symbol.` : undefined}
          />
          <Button type="submit" className="w-full" disabled={busy}>
            {busy ? (isSignup ? 'Creating account…' : 'Logging in…') : isSignup ? 'Sign up' : 'Log in'}
          </Button>
        </form>
        {googleEnabled && (
          <>
            <div className="my-5 flex items-center gap-3 text-xs uppercase tracking-wide text-muted">
              <span className="h-px flex-1 bg-line" /> or <span className="h-px flex-1 bg-line" />
            </div>
            <Button variant="secondary" className="w-full" onClick={() => void signIn('google', { callbackUrl })}>
              <svg aria-hidden viewBox="0 0 24 24" className="size-5">
                <path fill="#4285F4" d="M23.5 12.3c0-.8-.1-1.6-.2-2.3H12v4.5h6.5a5.6 5.6 0 0 1-2.4 3.6v3h3.9c2.2-2.1 3.5-5.1 3.5-8.8z" />
                <path fill="#34A853" d="M12 24c3.2 0 6-1.1 7.9-2.9l-3.9-3c-1.1.7-2.4 1.2-4 1.2-3.1 0-5.7-2.1-6.6-4.9H1.4v3.1A12 12 0 0 0 12 24z" />
                <path fill="#FBBC05" d="M5.4 14.4a7.2 7.2 0 0 1 0-4.7V6.6H1.4a12 12 0 0 0 0 10.9z" />
                <path fill="#EA4335" d="M12 4.8c1.8 0 3.3.6 4.6 1.8l3.4-3.4A12 12 0 0 0 1.4 6.6l4 3.1C6.3 6.9 8.9 4.8 12 4.8z" />
              </svg>
              Sign in with Google
            </Button>
          </>
        )}
        <p className="mt-6 text-center text-sm text-muted">
          {isSignup ? 'Already have an account? ' : 'New to Pixtale? '}
          <Link
            href={`${isSignup ? '/login' : '/signup'}${callbackUrl !== '/' ? `?callbackUrl=${encodeURIComponent(callbackUrl)}` : ''}`}
            className="font-semibold text-brand-700 underline-offset-2 hover:underline"
          >
            {isSignup ? 'Log in' : 'Create an account'}
          </Link>
        </p>
      </Card>
    </div>
  );
}
