import { defaultFieldResolver, isObjectType, type GraphQLSchema } from 'graphql';
import { assertSafeStrings } from '../shared/validation';

/**
 * One place for the string rules of every GraphQL argument (shared/validation.ts: no NUL character, a length cap):
 * each field that takes arguments checks them, already coerced, before its resolver runs, so no resolver or service
 * can forget to and a NUL byte never reaches PostgreSQL as an internal error. Fields without arguments are untouched,
 * so reading a page of orders costs nothing more.
 */
export function checkArgumentStrings(schema: GraphQLSchema): GraphQLSchema {
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      if (field.args.length === 0) continue;
      const resolve = field.resolve ?? defaultFieldResolver;
      field.resolve = (source, args, context, info) => {
        assertSafeStrings(args);
        return resolve(source, args, context, info);
      };
    }
  }
  return schema;
}
