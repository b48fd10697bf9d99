'use client';

import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { signIn } from 'next-auth/react';
import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { LIMITS, normalizeUserText } from '@pixtale/shared';
import type { PasswordStrength, checkPasswordStrength } from '@pixtale/shared/password';
import { messageForAuthError } from '@/lib/errors';
import { usePublicConfig } from './providers';
import { Alert, Button, Card, TextField } from './ui';

type Mode = 'login' | 'signup';
type FieldErrors = Partial<Record<'email' | 'password' | 'displayName', string>>;

const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/**
 * Field errors before anything is sent. For sign-up, `strength` is the estimator's verdict on the
 * password once it has loaded (the API checks it again with the same estimator).
 */
export function validateAuthInput(
  mode: Mode,
  v: { email: string; password: string; displayName: string },
  strength?: PasswordStrength | null,
): FieldErrors {
  const errors: FieldErrors = {};
  if (!EMAIL_RE.test(v.email.trim())) errors.email = 'Enter an email address like name@example.com.';
  if (mode === 'signup') {
    if (v.password.length < LIMITS.passwordMinLength) errors.password = `Use at least ${LIMITS.passwordMinLength} characters.`;
    else if (strength && !strength.ok) errors.password = strengthMessage(strength);
    const name = normalizeUserText(v.displayName);
    if (!name)
      errors.displayName = v.displayName.trim()
        ? 'Your name needs visible characters (invisible and control characters are removed).'
        : 'Tell us what to call you.';
    else if (name.length > LIMITS.displayNameMaxLength)
      errors.displayName = `Keep it under ${LIMITS.displayNameMaxLength} characters.`;
  } else if (!v.password) {
    errors.password = 'Enter your password.';
  }
  return errors;
}

const strengthMessage = (s: PasswordStrength) =>
  ['This password is too easy to guess.', s.feedback.warning, s.feedback.suggestions[0]].filter(Boolean).join(' ');

/**
 * zxcvbn-ts's verdict on the password as it is typed. Its dictionaries are large, so the module
 * is a separate chunk, fetched when the sign-up form appears and never on other pages.
 */
function usePasswordStrength(enabled: boolean, password: string, userInputs: string[]): PasswordStrength | null {
  const [check, setCheck] = useState<typeof checkPasswordStrength | null>(null);
  useEffect(() => {
    if (!enabled) return;
    let live = true;
    void import('@pixtale/shared/password').then((m) => live && setCheck(() => m.checkPasswordStrength));
    return () => {
      live = false;
    };
  }, [enabled]);
  const inputs = userInputs.join('\n');
  return useMemo(() => (check && password ? check(password, inputs.split('\n')) : null), [check, password, inputs]);
}

const STRENGTH_LABELS = ['Very weak', 'Weak', 'Fair', 'Strong', 'Very strong'] as const;

/** The live meter under the sign-up password: score bar, verdict, and the estimator's advice. */
function StrengthHint({ strength }: { strength: PasswordStrength | null }) {
  if (!strength) return <>Use a few uncommon words, or a long random password.</>;
  const colour = strength.ok ? 'bg-emerald-600' : strength.score <= 1 ? 'bg-red-600' : 'bg-amber-500';
  const advice = strength.ok
    ? strength.feedback.suggestions[0]
    : [strength.feedback.warning, ...strength.feedback.suggestions].filter(Boolean).join(' ');
  return (
    <span aria-live="polite" className="block space-y-1" data-testid="password-strength">
      <span className="flex gap-1" aria-hidden>
        {[0, 1, 2, 3].map((i) => (
          <span key={i} className={`h-1.5 flex-1 rounded-full ${i < Math.max(strength.score, 1) ? colour : 'bg-slate-200'}`} />
        ))}
      </span>
      <span className="block">
        <span className="font-medium text-ink">{STRENGTH_LABELS[strength.score]}</span>
        {strength.ok ? '' : ' — too easy to guess.'} {advice}
      </span>
    </span>
  );
}

export function AuthForm({
  mode,
  callbackUrl,
  initialError,
}: {
  mode: Mode;
  callbackUrl: string;
  initialError?: string | undefined;
}) {
  const router = useRouter();
  const { googleEnabled } = usePublicConfig();
  const [values, setValues] = useState({ email: '', password: '', displayName: '' });
  const [fieldErrors, setFieldErrors] = useState<FieldErrors>({});
  const [formError, setFormError] = useState<string | undefined>(initialError ? messageForAuthError(initialError) : undefined);
  const [busy, setBusy] = useState(false);

  const set = (key: keyof typeof values) => (e: { target: { value: string } }) =>
    setValues((v) => ({ ...v, [key]: e.target.value }));
  const strength = usePasswordStrength(mode === 'signup', values.password, [values.email, values.displayName]);

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    const errors = validateAuthInput(mode, values, strength);
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
            hint={isSignup ? <StrengthHint strength={strength} /> : undefined}
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
                <path
                  fill="#4285F4"
                  d="M23.5 12.3c0-.8-.1-1.6-.2-2.3H12v4.5h6.5a5.6 5.6 0 0 1-2.4 3.6v3h3.9c2.2-2.1 3.5-5.1 3.5-8.8z"
                />
                <path
                  fill="#34A853"
                  d="M12 24c3.2 0 6-1.1 7.9-2.9l-3.9-3c-1.1.7-2.4 1.2-4 1.2-3.1 0-5.7-2.1-6.6-4.9H1.4v3.1A12 12 0 0 0 12 24z"
                />
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
