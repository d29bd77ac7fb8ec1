import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { data, redirect } from '@remix-run/node';
import { Form, useActionData, useNavigation, useSearchParams } from '@remix-run/react';
import { useEffect, useRef } from 'react';
import { LoginDocument, type LoginMutation, type LoginMutationVariables } from '~/gql/graphql';
import { clientAddressOf, createApiClient } from '~/lib/api.server';
import { problemFrom } from '~/lib/errors';
import { dashboardOrigin, isCrossSiteRequest, safeRedirect } from '~/lib/origin.server';
import { createUserSession, getToken } from '~/lib/session.server';

export const meta: MetaFunction = () => [{ title: 'Sign in · Luneo Orders' }];

export async function loader({ request }: LoaderFunctionArgs) {
  const url = new URL(request.url);
  if (await getToken(request)) throw redirect(safeRedirect(url.searchParams.get('redirectTo'), dashboardOrigin(request)));
  return null;
}

type ActionResult = {
  formError?: string;
  fieldErrors?: { email?: string; password?: string };
  email?: string;
  /** The API refused this email and password (not a network failure, where the password may be right). */
  credentialsRejected?: boolean;
};

export async function action({ request }: ActionFunctionArgs) {
  // Another site posting its own credentials here would sign the visitor into the attacker's account (login CSRF).
  if (isCrossSiteRequest(request)) {
    return data<ActionResult>({ formError: 'Sign in from the Luneo Orders page itself.' }, { status: 403 });
  }
  const form = await request.formData();
  const email = String(form.get('email') ?? '').trim();
  const password = String(form.get('password') ?? '');
  const redirectTo = safeRedirect(form.get('redirectTo'), dashboardOrigin(request));

  const fieldErrors: ActionResult['fieldErrors'] = {};
  if (!email) fieldErrors.email = 'Enter your email address.';
  else if (!/^[^\s@]+@[^\s@]+$/.test(email)) fieldErrors.email = 'This does not look like an email address.';
  if (!password) fieldErrors.password = 'Enter your password.';
  if (fieldErrors.email || fieldErrors.password) return data<ActionResult>({ fieldErrors, email }, { status: 400 });

  const result = await createApiClient(null, clientAddressOf(request))
    .mutation<LoginMutation, LoginMutationVariables>(LoginDocument, { email, password })
    .toPromise();
  if (result.error || !result.data) {
    const problem = problemFrom(result.error);
    const credentialsRejected = problem?.code === 'UNAUTHENTICATED' || problem?.code === 'BAD_USER_INPUT' || problem?.code === 'FORBIDDEN';
    const formError = credentialsRejected
      ? 'That email and password do not match an account. Check them and try again.'
      : problem?.code === 'NETWORK'
        ? 'The Luneo API is not reachable right now. Please try again in a moment.'
        : (problem?.message ?? 'Sign-in failed. Please try again.');
    return data<ActionResult>({ formError, email, credentialsRejected }, { status: problem?.code === 'NETWORK' ? 503 : 401 });
  }
  const { token, expiresAt } = result.data.login;
  return createUserSession(request, token, expiresAt, redirectTo);
}

export default function Login() {
  const actionData = useActionData<typeof action>() as ActionResult | undefined;
  const navigation = useNavigation();
  const [params] = useSearchParams();
  const submitting = navigation.state !== 'idle' && navigation.formMethod === 'POST';
  const emailRef = useRef<HTMLInputElement>(null);
  const passwordRef = useRef<HTMLInputElement>(null);

  useEffect(() => {
    // A rejected password is never worth keeping: an empty field invites typing it afresh instead of editing a typo blind.
    if (actionData?.credentialsRejected && passwordRef.current) passwordRef.current.value = '';
    if (actionData?.fieldErrors?.email) emailRef.current?.focus();
    else if (actionData?.fieldErrors?.password || actionData?.formError) passwordRef.current?.focus();
  }, [actionData]);

  const redirectTo = params.get('redirectTo') ?? '';
  return (
    <main className="auth">
      <div className="auth__panel">
        <div className="brandmark brandmark--large" aria-hidden="true">
          <span className="brandmark__moon" />
        </div>
        <h1 className="auth__title">Sign in to Luneo Orders</h1>
        <p className="auth__subtitle">Run your brand’s orders, stock and payments in one place.</p>

        {params.get('signedOut') ? (
          <p className="notice notice--info" role="status">
            You have been signed out.
          </p>
        ) : null}
        {redirectTo && !actionData ? (
          <p className="notice notice--info" role="status">
            Please sign in to continue.
          </p>
        ) : null}
        {actionData?.formError ? (
          <p className="notice notice--error" role="alert" id="login-error">
            {actionData.formError}
          </p>
        ) : null}

        <Form method="post" className="form" noValidate aria-describedby={actionData?.formError ? 'login-error' : undefined}>
          <input type="hidden" name="redirectTo" value={redirectTo} />
          <div className="field">
            <label htmlFor="email" className="field__label">
              Email
            </label>
            <input
              ref={emailRef}
              id="email"
              name="email"
              type="email"
              autoComplete="username"
              required
              autoFocus
              defaultValue={actionData?.email}
              className="input"
              aria-invalid={actionData?.fieldErrors?.email ? true : undefined}
              aria-describedby={actionData?.fieldErrors?.email ? 'email-error' : undefined}
            />
            {actionData?.fieldErrors?.email ? (
              <p className="field__error" id="email-error">
                {actionData.fieldErrors.email}
              </p>
            ) : null}
          </div>
          <div className="field">
            <label htmlFor="password" className="field__label">
              Password
            </label>
            <input
              ref={passwordRef}
              id="password"
              name="password"
              type="password"
              autoComplete="current-password"
              required
              className="input"
              aria-invalid={actionData?.fieldErrors?.password ? true : undefined}
              aria-describedby={actionData?.fieldErrors?.password ? 'password-error' : undefined}
            />
            {actionData?.fieldErrors?.password ? (
              <p className="field__error" id="password-error">
                {actionData.fieldErrors.password}
              </p>
            ) : null}
          </div>
          <button type="submit" className="btn btn--primary btn--block" disabled={submitting}>
            {submitting ? 'Signing in…' : 'Sign in'}
          </button>
        </Form>
      </div>
    </main>
  );
}
