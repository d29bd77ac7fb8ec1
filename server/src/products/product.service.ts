import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { audit, auditState } from '../audit/audit';
import { DomainError, notFound, orNotFound } from '../errors';
import type { RequestContext } from '../shared/request-context';
import { parseId } from '../shared/ids';
import { parseInput } from '../shared/validation';
import { Product } from './product.entity';
import { findProductById, type ProductRecord } from './product.queries';
import { CreateProductSchema, UpdateProductSchema, AdjustStockSchema } from './product.validation';
import { adjustStock as applyStockAdjustment, logMovement } from './stock.service';

function loadAfterCommit(ctx: RequestContext, id: string): Promise<ProductRecord> {
  return orNotFound(findProductById(ctx, id), 'Product');
}

export async function createProduct(ctx: RequestContext, data: unknown): Promise<ProductRecord> {
  const input = parseInput(CreateProductSchema, data, 'input');
  let id: string;
  try {
    id = await ctx.transaction(async (tx) => {
      const product = tx.em.create(Product, { brand: tx.brandId, ...input });
      await tx.em.flush();
      if (input.stock > 0) {
        logMovement({ em: tx.em, brandId: tx.brandId, actor: tx.actor }, product.id, input.stock, input.stock, 'INITIAL', null);
      }
      audit(tx, { action: 'product.create', targetType: 'PRODUCT', targetId: product.id, before: null, after: auditState('PRODUCT', product) });
      return product.id;
    });
  } catch (error) {
    if (error instanceof UniqueConstraintViolationException) {
      throw new DomainError('BAD_USER_INPUT', `input.sku: ${input.sku} is already used by another product`, {
        field: 'input.sku',
      });
    }
    throw error;
  }
  return loadAfterCommit(ctx, id);
}

export async function updateProduct(ctx: RequestContext, id: string, data: unknown): Promise<ProductRecord> {
  const input = parseInput(UpdateProductSchema, data, 'input');
  await ctx.transaction(async (tx) => {
    const product = await tx.em.findOne(Product, parseId(id));
    if (!product) throw notFound('Product');
    const before = auditState('PRODUCT', product);
    if (input.name != null) product.name = input.name;
    if (input.price != null) product.price = input.price;
    if (input.active != null) product.active = input.active;
    audit(tx, { action: 'product.update', targetType: 'PRODUCT', targetId: product.id, before, after: auditState('PRODUCT', product) });
  });
  return loadAfterCommit(ctx, id);
}

export async function adjustProductStock(
  ctx: RequestContext,
  id: string,
  delta: number,
  reason: string,
): Promise<ProductRecord> {
  const input = parseInput(AdjustStockSchema, { delta, reason });
  const productId = parseId(id);
  await ctx.transaction(async (tx) => {
    const stock = await applyStockAdjustment({ em: tx.em, brandId: tx.brandId, actor: tx.actor }, productId, input.delta, input.reason);
    audit(tx, { action: 'product.adjustStock', targetType: 'PRODUCT', targetId: productId, before: { stock: stock - input.delta }, after: { stock } });
  });
  return loadAfterCommit(ctx, productId);
}
