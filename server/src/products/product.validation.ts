import { z } from 'zod';

const MAX_PRICE = 1_000_000_000_00; // 1 billion in major units: far above any real product, far below 2^53.

export const CreateProductSchema = z.object({
  sku: z
    .string()
    .trim()
    .min(1, 'is required')
    .max(64, 'must be at most 64 characters')
    .regex(/^[A-Za-z0-9._\-/]+$/, 'may contain letters, digits and . _ - / only'),
  name: z.string().trim().min(1, 'is required').max(200, 'must be at most 200 characters'),
  price: z.number().int('must be whole minor units').min(0, 'must not be negative').max(MAX_PRICE),
  stock: z.number().int('must be a whole number').min(0, 'must not be negative').max(10_000_000),
  active: z.boolean().nullish().transform((v) => v ?? true),
});

export const UpdateProductSchema = z.object({
  name: z.string().trim().min(1, 'is required').max(200).nullish(),
  price: z.number().int('must be whole minor units').min(0, 'must not be negative').max(MAX_PRICE).nullish(),
  active: z.boolean().nullish(),
});

export const AdjustStockSchema = z.object({
  delta: z
    .number()
    .int('must be a whole number')
    .refine((d) => d !== 0, 'must not be zero')
    .refine((d) => Math.abs(d) <= 10_000_000, 'is too large'),
  reason: z.string().trim().min(1, 'is required').max(500),
});
