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
export function validateNewOrder(form: NewOrderForm, stock: Map<string, number>): FieldErrors {
  const errors: FieldErrors = {};
  if (!form.lines.length) errors.items = 'Add at least one product.';
  form.lines.forEach((line, i) => {
    if (!Number.isInteger(line.quantity) || line.quantity < 1) errors[`items.${i}.quantity`] = 'Enter a whole number of 1 or more.';
    else if (stock.has(line.productId) && line.quantity > (stock.get(line.productId) ?? 0)) {
      errors[`items.${i}.quantity`] = `Only ${stock.get(line.productId)} in stock.`;
    }
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
