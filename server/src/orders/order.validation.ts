import { z } from 'zod';
import { PAYMENT_METHODS } from './order.entity';

/** Input rules for orders, shared by every way in (GraphQL, checkout, CLI seed). */
const optionalText = (max: number) =>
  z
    .string()
    .trim()
    .max(max, `must be at most ${max} characters`)
    .nullish()
    .transform((v) => (v ? v : null));

const NOTE_MAX = 2000;
export const MAX_LINES = 100;
export const MAX_QUANTITY = 10_000;

export const CustomerSchema = z.object({
  email: z.string().trim().toLowerCase().pipe(z.email('must be a valid email address')),
  name: optionalText(200),
  phone: optionalText(40),
});

export const AddressSchema = z.object({
  name: optionalText(200),
  line1: z.string().trim().min(1, 'is required').max(200),
  line2: optionalText(200),
  city: z.string().trim().min(1, 'is required').max(100),
  postalCode: z.string().trim().min(1, 'is required').max(20),
  region: optionalText(100),
  country: z
    .string()
    .trim()
    .toUpperCase()
    .regex(/^[A-Z]{2}$/, 'must be a two-letter ISO country code'),
});

const customizationSchema = z
  .unknown()
  .nullish()
  .refine((v) => v == null || JSON.stringify(v).length <= 10_000, 'must be at most 10 kB of JSON');

export const CreateOrderSchema = z.object({
  items: z
    .array(
      z.object({
        productId: z.string(),
        quantity: z
          .number()
          .int('must be a whole number')
          .min(1, 'must be at least 1')
          .max(MAX_QUANTITY, `must be at most ${MAX_QUANTITY}`),
        customization: customizationSchema,
      }),
    )
    .min(1, 'an order needs at least one item')
    .max(MAX_LINES, `an order has at most ${MAX_LINES} lines`),
  customer: CustomerSchema,
  shippingAddress: AddressSchema.nullish().transform((v) => v ?? null),
  discountCode: optionalText(64),
  note: optionalText(NOTE_MAX),
});
export type CreateOrderData = z.input<typeof CreateOrderSchema>;
export type CreateOrderInput = z.output<typeof CreateOrderSchema>;

/** A link a person can open: http(s) only, so a stored URL can never run script in the dashboard. */
const trackingUrl = z
  .string()
  .trim()
  .max(2000, 'must be at most 2000 characters')
  .nullish()
  .transform((v) => (v ? v : null))
  .refine((v) => v === null || (URL.canParse(v) && /^https?:$/.test(new URL(v).protocol)), 'must be an http(s) address');

export const UpdateOrderSchema = z.object({
  customer: CustomerSchema.nullish(),
  shippingAddress: AddressSchema.nullish(),
  trackingNumber: optionalText(100),
  trackingCarrier: optionalText(100),
  trackingUrl,
});
export const TrackingNumberSchema = UpdateOrderSchema.shape.trackingNumber;
export const TrackingSchema = z.object({
  number: UpdateOrderSchema.shape.trackingNumber,
  carrier: UpdateOrderSchema.shape.trackingCarrier,
  url: trackingUrl,
});

export const ManualPaymentSchema = z.object({
  paymentMethod: z.enum(PAYMENT_METHODS).nullish().transform((v) => v ?? null),
  paymentReference: optionalText(100),
});
export type UpdateOrderData = z.input<typeof UpdateOrderSchema>;

export const NoteSchema = z.string().trim().min(1, 'must not be empty').max(NOTE_MAX, `must be at most ${NOTE_MAX} characters`);
export const OptionalNoteSchema = optionalText(NOTE_MAX);
