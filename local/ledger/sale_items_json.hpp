#pragma once
// A sale's lines as the ledger keeps them: the JSON text of `sales.items` (migration 11), an array
// of [sku, name, quantity, unit_cents] arrays in the POS's order, e.g.
// [["CAM-014","Camisa social",1,12990],["CIN-045","Cinto de couro",2.5,7990]].
// The view `sale_items` reads them back as rows (sale_id, line, sku, name, quantity, unit_cents).
//
// They live in the sale's row because they are written once, with the sale, and never change
// alone: a table of their own cost a B-tree insert per line, about a third of ingest's work
// (docs/benchmarks.md).

#include <span>
#include <string>

#include "local/model/events.hpp"

namespace regua {

// Appends the items' JSON text to `out` (which the caller may reuse from sale to sale).
void append_sale_items_json(std::string& out, std::span<const SaleItem> items);

}  // namespace regua
