'use strict';
Object.defineProperty(exports, '__esModule', { value: true });
const { Migration } = require('@mikro-orm/migrations');

/**
 * `order_placed`: the number of an order of the brand, or an error (SQLSTATE `LU001`) when there is no such order.
 *
 * A Stripe checkout sends its order's insert in the message that also records its outcome and commits
 * (server/src/orders/order-change-log.ts), so that the brand's numbering row is held by that one message instead of
 * across a round trip to the API. That insert refuses a sale the stock cannot serve, and then writes nothing; this
 * check, the next statement of the message, turns that into an error, which stops the message before the outcome and the
 * COMMIT. The delivery then runs again the way that records the oversell (server/src/stripe/event-delivery.ts).
 */
const ORDER_PLACED = `create function order_placed(brand_id uuid, order_id uuid)
  returns table (number text)
  language plpgsql volatile
as $fn$
begin
  return query select o.number from orders o where o.brand_id = order_placed.brand_id and o.id = order_placed.order_id;
  if not found then
    raise exception 'order % was not placed: the stock could not serve its lines', order_placed.order_id using errcode = 'LU001';
  end if;
end
$fn$;`;

class Migration20261210100000_order_placed extends Migration {

  async up() {
    this.addSql(ORDER_PLACED);
  }

  async down() {
    this.addSql('drop function order_placed(uuid, uuid);');
  }

}
exports.Migration20261210100000_order_placed = Migration20261210100000_order_placed;
