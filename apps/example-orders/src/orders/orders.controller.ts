import { BadRequestException, Body, Controller, Get, Post } from '@nestjs/common';
import { RequirePermission, TesseraToken, type TesseraTokenInfo } from '@tessera/nest';
import { z } from 'zod';
import { type Order, OrdersService } from './orders.service';

const placeOrderSchema = z.strictObject({
  item: z.string({ error: 'item must be a string' }).trim().min(1, { error: 'item is required' }).max(100, { error: 'item is too long' }),
  quantity: z.number({ error: 'quantity must be a number' }).int({ error: 'quantity must be a whole number' }).min(1).max(1000),
});

@Controller('orders')
export class OrdersController {
  constructor(private readonly orders: OrdersService) {}

  @Get()
  @RequirePermission('orders:read')
  list(): Order[] {
    return this.orders.list();
  }

  @Post()
  @RequirePermission('orders:write')
  place(@Body() body: unknown, @TesseraToken() token: TesseraTokenInfo): Order {
    const parsed = placeOrderSchema.safeParse(body);
    if (!parsed.success) {
      throw new BadRequestException({
        type: 'about:blank',
        title: 'Bad Request',
        status: 400,
        detail: 'The order is invalid',
        errors: parsed.error.issues.map((i) => ({ field: i.path.join('.'), message: i.message })),
      });
    }
    return this.orders.place(parsed.data.item, parsed.data.quantity, token.id);
  }
}
