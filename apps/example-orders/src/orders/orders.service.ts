import { Injectable } from '@nestjs/common';

export interface Order {
  id: number;
  item: string;
  quantity: number;
  /** The Tessera token that placed it. */
  placedBy: string;
  createdAt: string;
}

/** Orders in memory: the example is about access, not storage. */
@Injectable()
export class OrdersService {
  private readonly orders: Order[] = [];

  list(): Order[] {
    return [...this.orders];
  }

  place(item: string, quantity: number, placedBy: string): Order {
    const order = { id: this.orders.length + 1, item, quantity, placedBy, createdAt: new Date().toISOString() };
    this.orders.push(order);
    return order;
  }
}
