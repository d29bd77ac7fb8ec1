import { Arg, Authorized, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { GraphQLContext } from '../graphql/context';
import { findProductById, listProducts, type ProductRecord } from './product.queries';
import * as products from './product.service';
import { CreateProductInput, Product, ProductConnection, ProductEdge, UpdateProductInput } from './product.types';

type ProductPage = Awaited<ReturnType<typeof listProducts>>;

@Resolver(() => Product)
export class ProductResolver {
  @Authorized('VIEWER', 'products:read')
  @Query(() => ProductConnection)
  products(
    @Ctx() { ctx }: GraphQLContext,
    @Arg('first', () => Int, { nullable: true, description: '20 unless `last` is given.' }) first: number | null,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Arg('search', () => String, { nullable: true }) search: string | null,
    @Arg('activeOnly', () => Boolean, { nullable: true, defaultValue: false }) activeOnly: boolean,
    @Arg('last', () => Int, { nullable: true, description: 'Pages backward from `before`.' }) last: number | null,
    @Arg('before', () => String, { nullable: true }) before: string | null,
  ): Promise<ProductPage> {
    return listProducts(ctx, { first, after, last, before, search, activeOnly });
  }

  @Authorized('VIEWER', 'products:read')
  @Query(() => Product, { nullable: true })
  product(@Ctx() { ctx }: GraphQLContext, @Arg('id', () => ID) id: string): Promise<ProductRecord | null> {
    return findProductById(ctx, id);
  }

  @Authorized('ADMIN', 'products:write')
  @Mutation(() => Product)
  createProduct(@Ctx() { ctx }: GraphQLContext, @Arg('input', () => CreateProductInput) input: CreateProductInput) {
    return products.createProduct(ctx, input);
  }

  @Authorized('ADMIN', 'products:write')
  @Mutation(() => Product)
  updateProduct(
    @Ctx() { ctx }: GraphQLContext,
    @Arg('id', () => ID) id: string,
    @Arg('input', () => UpdateProductInput) input: UpdateProductInput,
  ) {
    return products.updateProduct(ctx, id, input);
  }

  @Authorized('ADMIN', 'products:write')
  @Mutation(() => Product, { description: 'A manual stock correction, recorded with its reason.' })
  adjustStock(
    @Ctx() { ctx }: GraphQLContext,
    @Arg('id', () => ID) id: string,
    @Arg('delta', () => Int) delta: number,
    @Arg('reason') reason: string,
  ) {
    return products.adjustProductStock(ctx, id, delta, reason);
  }
}

@Resolver(() => ProductConnection)
export class ProductConnectionResolver {
  @FieldResolver(() => [ProductEdge])
  edges(@Root() page: ProductPage) {
    return page.nodes.map((node, i) => ({ node, cursor: page.cursors[i] }));
  }

  @FieldResolver(() => Int)
  totalCount(@Root() page: ProductPage): Promise<number> {
    return page.totalCount();
  }
}
