import type { CreateOrderInput } from '~/gql/graphql';

/** The new-order form's state, and how it becomes a CreateOrderInput (shared by the quote and the submit). */
export interface OrderLine {
  productId: string;
  quantity: number;
}

export interface NewOrderForm {
  lines: OrderLine[];
  email: string;
  name: string;
  phone: string;
  ship: boolean;
  address: { name: string; line1: string; line2: string; city: string; postalCode: string; region: string; country: string };
  discountCode: string;
  note: string;
}

export const EMPTY_FORM: NewOrderForm = {
  lines: [],
  email: '',
  name: '',
  phone: '',
  ship: true,
  address: { name: '', line1: '', line2: '', city: '', postalCode: '', region: '', country: '' },
  discountCode: '',
  note: '',
};

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
/** Used only to price a draft before the customer's email is typed; never submitted. */
const QUOTE_PLACEHOLDER_EMAIL = 'quote.preview@example.com';

const opt = (value: string) => (value.trim() ? value.trim() : undefined);

function addressComplete(form: NewOrderForm): boolean {
  const a = form.address;
  return Boolean(a.line1.trim() && a.city.trim() && a.postalCode.trim() && a.country.trim());
}

export function toCreateOrderInput(form: NewOrderForm, forQuote = false): CreateOrderInput {
  const email = form.email.trim();
  const input: CreateOrderInput = {
    items: form.lines.filter((l) => l.quantity > 0).map((l) => ({ productId: l.productId, quantity: l.quantity })),
    customer: {
      email: forQuote && !EMAIL.test(email) ? QUOTE_PLACEHOLDER_EMAIL : email,
      name: opt(form.name),
      phone: opt(form.phone),
    },
  };
  if (form.ship && (!forQuote || addressComplete(form))) {
    const a = form.address;
    input.shippingAddress = {
      name: opt(a.name),
      line1: a.line1.trim(),
      line2: opt(a.line2),
      city: a.city.trim(),
      postalCode: a.postalCode.trim(),
      region: opt(a.region),
      country: a.country.trim().toUpperCase(),
    };
  }
  const code = form.discountCode.trim();
  if (code) input.discountCode = code;
  if (!forQuote && form.note.trim()) input.note = form.note.trim();
  return input;
}

/** Whether a quote can be asked for: at least one line with a positive whole quantity. */
export function canQuote(form: NewOrderForm): boolean {
  return form.lines.some((l) => Number.isInteger(l.quantity) && l.quantity > 0);
}

export type FieldErrors = Partial<Record<string, string>>;

/** Inline validation before submitting; keys match the input names (and the API's `extensions.field`). */
export function validateNewOrder(form: NewOrderForm, stock: Map<string, number>, formatCount: (n: number) => string = String): FieldErrors {
  const errors: FieldErrors = stockErrors(form, stock, formatCount);
  if (!form.lines.length) errors.items = 'Add at least one product.';
  form.lines.forEach((line, i) => {
    if (!Number.isInteger(line.quantity) || line.quantity < 1) errors[`items.${i}.quantity`] = 'Enter a whole number of 1 or more.';
  });
  const email = form.email.trim();
  if (!email) errors['customer.email'] = 'Enter the customer’s email.';
  else if (!EMAIL.test(email)) errors['customer.email'] = 'This does not look like an email address.';
  if (form.ship) {
    const a = form.address;
    if (!a.line1.trim()) errors['shippingAddress.line1'] = 'Enter the street address.';
    if (!a.city.trim()) errors['shippingAddress.city'] = 'Enter the city.';
    if (!a.postalCode.trim()) errors['shippingAddress.postalCode'] = 'Enter the postal code.';
    if (!/^[A-Za-z]{2}$/.test(a.country.trim())) errors['shippingAddress.country'] = 'Use a two-letter country code, e.g. FR.';
  }
  return errors;
}

/** The value a field key (an input name, as in FieldErrors) reads from the form; undefined for keys of no field. */
function fieldValue(form: NewOrderForm, key: string): unknown {
  if (key === 'items') return form.lines.length;
  const line = /^items\.(\d+)\.quantity$/.exec(key);
  if (line) return form.lines[Number(line[1])]?.quantity;
  if (key === 'customer.email') return form.email;
  if (key === 'customer.name') return form.name;
  if (key === 'customer.phone') return form.phone;
  if (key.startsWith('shippingAddress.')) return form.ship ? form.address[key.slice('shippingAddress.'.length) as keyof NewOrderForm['address']] : false;
  if (key === 'discountCode') return form.discountCode;
  return undefined;
}

/**
 * The errors still shown after an edit: a field's error goes as soon as its value becomes valid, and its message
 * follows the value while it is still wrong. Errors of untouched fields (an API answer about another field) stay.
 */
export function clearResolvedErrors(
  errors: FieldErrors,
  before: NewOrderForm,
  after: NewOrderForm,
  stock: Map<string, number>,
  formatCount: (n: number) => string = String,
): FieldErrors {
  const keys = Object.keys(errors);
  if (!keys.length) return errors;
  const now = validateNewOrder(after, stock, formatCount);
  const next: FieldErrors = {};
  let changed = false;
  for (const key of keys) {
    if (fieldValue(before, key) === fieldValue(after, key)) next[key] = errors[key];
    else if (now[key]) next[key] = now[key];
    if (next[key] !== errors[key]) changed = true;
  }
  return changed ? next : errors;
}

/** Lines asking for more than the known stock, as errors on their quantity fields: shown live, before any submit. */
export function stockErrors(form: NewOrderForm, stock: Map<string, number>, formatCount: (n: number) => string = String): FieldErrors {
  const errors: FieldErrors = {};
  form.lines.forEach((line, i) => {
    const available = stock.get(line.productId);
    if (available !== undefined && Number.isInteger(line.quantity) && line.quantity > available) {
      errors[`items.${i}.quantity`] = `Only ${formatCount(available)} in stock.`;
    }
  });
  return errors;
}
