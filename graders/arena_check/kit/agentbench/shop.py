"""A small web shop for the shop-style task set of section 4.5, served on loopback.

Server-rendered HTML, one customer, no JavaScript: search, categories, product pages, a cart,
checkout and an order list. It is a FastAPI app run by uvicorn in a background thread, with the
lifecycle of :mod:`arena_check.kit.local_server` (``ShopServer`` subclasses its ``LocalServer``):

    with serve_shop() as shop:
        client = httpx.Client(base_url=shop.url)
        client.post("/api/reset", json={})            # empty cart, no orders
        client.get("/search", params={"q": "mug"})     # HTML
        client.post("/cart/add/4"); client.post("/checkout")
        client.get("/api/state").json()                # {"cart": {}, "orders": [...], "stock": {...}}

``/api/state`` and ``/api/reset`` are for the benchmark's checkers and set-up; no page links to
them, so an agent that follows links never sees them.
"""

from __future__ import annotations

import copy
import html
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse

from arena_check.kit.local_server import HOST, LocalServer


@dataclass(frozen=True)
class Product:
    id: int
    name: str
    category: str
    price_cents: int
    stock: int


CATALOGUE: tuple[Product, ...] = (
    Product(1, "USB-C cable", "electronics", 899, 12),
    Product(2, "Wireless headphones", "electronics", 5900, 4),
    Product(3, "Desk lamp", "home", 2400, 6),
    Product(4, "Ceramic mug", "kitchen", 750, 20),
    Product(5, "Electric kettle", "kitchen", 3200, 3),
    Product(6, "Glass teapot", "kitchen", 1850, 5),
    Product(7, "Notebook A5", "stationery", 350, 30),
    Product(8, "Notebook A4", "stationery", 420, 30),
    Product(9, "Leather notebook", "stationery", 2200, 2),
    Product(10, "Blue pen", "stationery", 150, 0),
    Product(11, "Black pen", "stationery", 140, 50),
    Product(12, "Phone stand", "electronics", 1200, 8),
)


def money(cents: int) -> str:
    return f"${cents // 100}.{cents % 100:02d}"


def _page(title: str, body: str) -> HTMLResponse:
    nav = '<nav><a href="/">Home</a> | <a href="/cart">Cart</a> | <a href="/orders">Orders</a></nav>'
    return HTMLResponse(
        f"<!doctype html><html><head><title>{html.escape(title)} · Arena Shop</title></head>"
        f"<body>{nav}<h1>{html.escape(title)}</h1>{body}</body></html>"
    )


def _product_list(products: list[Product]) -> str:
    if not products:
        return '<p class="empty">No products found.</p>'
    items = "".join(
        f'<li class="product" data-id="{p.id}"><a href="/product/{p.id}">{html.escape(p.name)}</a> '
        f'<span class="price">{money(p.price_cents)}</span></li>'
        for p in products
    )
    return f'<ul class="products">{items}</ul>'


class ShopState:
    """The shop's mutable state: stock, cart (product id → quantity) and placed orders."""

    def __init__(self) -> None:
        self.reset({})

    def reset(self, spec: dict[str, Any]) -> None:
        self.stock = {p.id: p.stock for p in CATALOGUE}
        self.stock.update({int(k): int(v) for k, v in spec.get("stock", {}).items()})
        self.cart: dict[int, int] = {int(k): int(v) for k, v in spec.get("cart", {}).items()}
        self.orders: list[dict[str, Any]] = copy.deepcopy(spec.get("orders", []))

    def as_json(self) -> dict[str, Any]:
        return {
            "cart": {str(k): v for k, v in self.cart.items()},
            "orders": copy.deepcopy(self.orders),
            "stock": {str(k): v for k, v in self.stock.items()},
        }


def make_app(state: ShopState) -> FastAPI:
    """The shop as a FastAPI app over ``state`` (kept outside, so a test can read it directly)."""
    app = FastAPI(title="arena-book shop", docs_url=None, redoc_url=None)
    by_id = {p.id: p for p in CATALOGUE}

    @app.get("/")
    def home() -> HTMLResponse:
        cats = sorted({p.category for p in CATALOGUE})
        links = "".join(f'<li><a href="/category/{c}">{c}</a></li>' for c in cats)
        search = ('<form method="get" action="/search"><input name="q" placeholder="search">'
                  "<button>Search</button></form>")
        return _page("Arena Shop", f'{search}<ul class="categories">{links}</ul>')

    @app.get("/search")
    def search(q: str = "") -> HTMLResponse:
        words = q.lower().split()
        found = [p for p in CATALOGUE if words and all(w in p.name.lower() for w in words)]
        return _page(f"Search: {q}", _product_list(found))

    @app.get("/category/{name}")
    def category(name: str) -> HTMLResponse:
        found = [p for p in CATALOGUE if p.category == name]
        if not found:
            return HTMLResponse("<p>No such category.</p>", status_code=404)
        return _page(f"Category: {name}", _product_list(found))

    @app.get("/product/{pid}")
    def product(pid: int) -> HTMLResponse:
        if pid not in by_id:
            return HTMLResponse("<p>No such product.</p>", status_code=404)
        p = by_id[pid]
        stock = state.stock[pid]
        buy = (f'<p class="stock">{stock} in stock</p><form method="post" action="/cart/add/{pid}">'
               "<button>Add to cart</button></form>" if stock > 0 else '<p class="stock">Out of stock</p>')
        return _page(p.name, f'<p class="price">{money(p.price_cents)}</p>{buy}')

    @app.post("/cart/add/{pid}")
    def add(pid: int) -> HTMLResponse:
        if pid not in by_id:
            return HTMLResponse("<p>No such product.</p>", status_code=404)
        if state.cart.get(pid, 0) >= state.stock[pid]:
            return _page("Not added", "<p>Not enough stock.</p>")
        state.cart[pid] = state.cart.get(pid, 0) + 1
        return cart()

    @app.post("/cart/remove/{pid}")
    def remove(pid: int) -> HTMLResponse:
        state.cart.pop(pid, None)
        return cart()

    @app.get("/cart")
    def cart() -> HTMLResponse:
        if not state.cart:
            return _page("Cart", '<p class="empty">Your cart is empty.</p>')
        rows = "".join(
            f'<li class="item" data-id="{pid}"><a href="/product/{pid}">{html.escape(by_id[pid].name)}</a> × {n} '
            f'<span class="price">{money(by_id[pid].price_cents * n)}</span>'
            f'<form method="post" action="/cart/remove/{pid}"><button>Remove</button></form></li>'
            for pid, n in sorted(state.cart.items())
        )
        total = sum(by_id[pid].price_cents * n for pid, n in state.cart.items())
        return _page("Cart", f'<ul class="cart">{rows}</ul><p class="total">Total {money(total)}</p>'
                             '<form method="post" action="/checkout"><button>Check out</button></form>')

    @app.post("/checkout")
    def checkout() -> HTMLResponse:
        if not state.cart:
            return _page("Checkout failed", "<p>Your cart is empty.</p>")
        items = {str(pid): n for pid, n in sorted(state.cart.items())}
        total = sum(by_id[pid].price_cents * n for pid, n in state.cart.items())
        for pid, n in state.cart.items():
            state.stock[pid] -= n
        number = max((o["number"] for o in state.orders), default=2000) + 1
        state.orders.append({"number": number, "items": items, "total_cents": total})
        state.cart.clear()
        return _page(f"Order #{number} placed", f'<p class="total">Total {money(total)}</p>')

    @app.get("/orders")
    def orders() -> HTMLResponse:
        if not state.orders:
            return _page("Orders", '<p class="empty">No orders yet.</p>')
        rows = "".join(
            f'<li class="order">#{o["number"]}: '
            + ", ".join(f"{by_id[int(pid)].name} × {n}" for pid, n in o["items"].items())
            + f' <span class="price">{money(o["total_cents"])}</span></li>'
            for o in state.orders
        )
        return _page("Orders", f'<ul class="orders">{rows}</ul>')

    @app.get("/api/state")
    def api_state() -> JSONResponse:
        return JSONResponse(state.as_json())

    @app.post("/api/reset")
    async def api_reset(request: Request) -> JSONResponse:
        state.reset(await request.json())
        return JSONResponse(state.as_json())

    return app


class ShopServer(LocalServer):
    """The shop on ``127.0.0.1`` with ``LocalServer``'s start/stop (made by :func:`serve_shop`)."""

    def __init__(self) -> None:
        super().__init__(model=None, faults=None, model_name="arena-shop")  # type: ignore[arg-type]
        self.state = ShopState()

    def app(self) -> Any:
        return make_app(self.state)

    def start(self, timeout: float = 10.0) -> None:
        super().start(timeout)
        # Accepted connections inherit TCP_NODELAY from the listening socket. Without it, uvicorn's
        # separate writes of headers and body meet Nagle's algorithm and the client's delayed ACK,
        # and every request waits ~40 ms: the benchmark's thousands of page loads would take a minute.
        self._sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"


@contextmanager
def serve_shop() -> Iterator[ShopServer]:
    """Serve the shop for the ``with`` block (a free port on loopback); stopped and joined after."""
    server = ShopServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()


__all__ = ["CATALOGUE", "Product", "ShopServer", "ShopState", "make_app", "money", "serve_shop"]
