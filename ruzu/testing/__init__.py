"""The testing kit: data generators shared by the tests, the benchmarks and the demo
(``graphs``: the one graph generator). Apart from the product: no layer of ruzu imports it
(checked by ``lint-imports``), and it imports none of them."""
