// NKI 0.7.0 tile and block grids (see tile_grids.h and docs/semantics.md, "NKI 0.7.0: tile and block grids").
//
// A grid is a selection of a tensor's elements (a [start, start + size) range per dimension of its
// storage) plus a way to count it in cells: each grid axis walks one storage dimension in steps of a
// tile (or a block of tiles; 1 for the untiled leading dims of an HBM tensor). Indexing an axis with an
// int narrows the selection to one cell and drops the axis; a slice narrows it to a range of cells.
// Two storages: a view of an existing tensor (nl.tiles / nl.blocks, and HBM allocations), where every
// selection is a rectangular slice, and the dense tile layout of an on-chip allocation (alloc_tiles in
// SBUF/PSUM), a rank-2 (partition, free) tensor whose free dim holds the tiles one after another in
// row-major tile order. There, a selection is one access pattern only when it stays within one tile
// along the partition dim and its tiles along each free dim are adjacent in memory.
#include "trace/tile_grids.h"

#include <optional>

namespace nkic::trace {

namespace {

struct GridObj : InstanceObj {
  AccessPattern base;  // the storage: a view of a tensor (dims = storage dims), or the dense layout's tensor
  bool dense = false;  // alloc_tiles/alloc_blocks on chip: the dense tile layout below
  std::vector<int64_t> dense_tile, dense_count;  // per storage dim: tile extent (clamped), tiles
  std::vector<int64_t> start, size;              // the selection, per storage dim
  std::vector<bool> dropped;                     // an untiled dim an int index consumed
  std::vector<int64_t> tile, block;              // tile_shape; block_shape (empty for a tile grid)
  std::vector<size_t> tiled;                     // the storage dims tile_shape covers (the trailing ones)
  struct Axis {
    size_t dim;
    int64_t step;  // elements per coordinate
  };
  std::vector<Axis> axes;
  bool whole_source = false;  // the grid came from a whole tensor view (kept by .data of the full selection)

  int64_t count(const Axis& x) const { return (size[x.dim] + x.step - 1) / x.step; }
};

Value g_tile_cls, g_block_cls;  // set once by add_tile_grids (the module is built once per process)

GridObj* as_grid(const Value& v) {
  if (v.k != VK::Instance) return nullptr;
  return dynamic_cast<GridObj*>(v.o.get());
}

GridObj& expect_grid(Interpreter& in, const Value& v, Span s) {
  GridObj* g = as_grid(v);
  if (!g) in.error(s, "NkiGrid objects are made by nl.tiles, nl.blocks, nl.alloc_tiles and nl.alloc_blocks");
  return *g;
}

Value int_tuple(const std::vector<int64_t>& xs) {
  std::vector<Value> items;
  for (int64_t x : xs) items.push_back(Value::integer(x));
  return Value::tuple(items);
}

std::string shape_str(const std::vector<int64_t>& xs) {
  std::string s = "(";
  for (size_t i = 0; i < xs.size(); ++i) s += (i ? ", " : "") + std::to_string(xs[i]);
  return s + (xs.size() == 1 ? ",)" : ")");
}

// A shape argument: a tuple of positive ints (at least `min_rank` of them).
std::vector<int64_t> shape_arg(Interpreter& in, const Value& v, Span s, const std::string& what, size_t min_rank) {
  if (v.k != VK::Tuple) in.error(s, what + " must be a tuple of ints, not '" + std::string(type_name(v.k)) + "'");
  std::vector<int64_t> out;
  for (const Value& x : v.as<SeqObj>()->items) {
    if (x.k != VK::Int) in.error(s, what + " must be a tuple of ints, not " + repr(v));
    if (x.as_int() <= 0) in.error(s, what + " entries must be positive, got " + repr(v));
    out.push_back(x.as_int());
  }
  if (out.size() < min_rank)
    in.error(s, what + " needs at least " + std::to_string(min_rank) + " dimensions, got " + repr(v),
             "tile_shape covers the trailing dims, at least the partition and one free dim");
  return out;
}

// Fresh axes over the current selection: untiled active dims count by 1, tiled dims by tile (x block).
void make_axes(GridObj& g) {
  g.axes.clear();
  for (size_t d = 0; d < g.start.size(); ++d)
    if (!g.dropped[d] && std::find(g.tiled.begin(), g.tiled.end(), d) == g.tiled.end()) g.axes.push_back({d, 1});
  for (size_t k = 0; k < g.tiled.size(); ++k)
    g.axes.push_back({g.tiled[k], g.tile[k] * (g.block.empty() ? 1 : g.block[k])});
}

bool on_chip(Interpreter& in, const GridObj& g) { return in.program.tensors[g.base.tensor].on_chip(); }

// Sets tile/block shapes on `g` (its storage and selection already set) and makes its axes.
Value finish(Interpreter& in, std::shared_ptr<GridObj> g, std::vector<int64_t> tile, std::vector<int64_t> block,
             Span tile_span, Span block_span) {
  std::vector<size_t> active;
  for (size_t d = 0; d < g->start.size(); ++d)
    if (!g->dropped[d]) active.push_back(d);
  if (tile.size() > active.size())
    in.error(tile_span, "tile_shape " + shape_str(tile) + " has more dimensions than the " +
                            std::to_string(active.size()) + "-dimensional source");
  if (on_chip(in, *g) && tile.size() != active.size())
    in.error(tile_span,
             "tile_shape " + shape_str(tile) +
                 " must cover every dimension of an on-chip (SBUF/PSUM) source, which has " +
                 std::to_string(active.size()),
             "only HBM tensors have untiled leading dimensions");
  if (!block.empty() && block.size() != tile.size())
    in.error(block_span,
             "block_shape " + shape_str(block) + " must have as many dimensions as tile_shape " + shape_str(tile));
  g->tiled.assign(active.end() - static_cast<std::ptrdiff_t>(tile.size()), active.end());
  g->tile = std::move(tile);
  g->block = std::move(block);
  g->cls = g->block.empty() ? g_tile_cls : g_block_cls;
  make_axes(*g);
  return Value::wrap(VK::Instance, g);
}

// A grid over an existing tensor view: its dims are the storage dims.
std::shared_ptr<GridObj> view_grid(const TensorObj& t) {
  auto g = std::make_shared<GridObj>();
  g->base = t.ap;
  for (const APDim& d : t.ap.dims) {
    g->start.push_back(0);
    g->size.push_back(d.num);
    g->dropped.push_back(false);
  }
  g->whole_source = t.whole;
  return g;
}

// nl.tiles / nl.blocks over a tensor or a grid (a grid keeps its selection; tile_shape defaults to its own).
Value make_grid(Interpreter& in, const Value& src, const Value& tile_v, std::vector<int64_t> block, Span src_span,
                Span tile_span, Span block_span) {
  std::shared_ptr<GridObj> g;
  std::vector<int64_t> tile;
  if (GridObj* sg = as_grid(src)) {
    g = std::make_shared<GridObj>(*sg);
    tile = tile_v.is_none() ? sg->tile : shape_arg(in, tile_v, tile_span, "tile_shape", 2);
  } else {
    TensorObj* t = expect_tensor(in, src, src_span, "source");
    if (t->dyn) in.error(src_span, "a grid cannot be made over a dynamic (.ap(scalar_offset=...)) view");
    g = view_grid(*t);
    // No tile_shape: one tile over the whole tensor (docs/semantics.md).
    tile = tile_v.is_none() ? t->shape() : shape_arg(in, tile_v, tile_span, "tile_shape", 2);
    if (tile.size() < 2)
      in.error(src_span, "a grid needs a source of at least 2 dimensions, got " + shape_str(t->shape()));
  }
  g->attrs.clear();
  return finish(in, g, std::move(tile), std::move(block), tile_span, block_span);
}

// The selection as one access pattern, or why it cannot be one.
std::optional<AccessPattern> selection_ap(const GridObj& g, const TensorDecl& decl, std::string& why) {
  AccessPattern ap = g.base;
  ap.dims.clear();
  if (!g.dense) {
    for (size_t d = 0; d < g.start.size(); ++d) {
      ap.offset += g.start[d] * g.base.dims[d].stride;
      if (!g.dropped[d]) ap.dims.push_back({g.base.dims[d].stride, g.size[d]});
    }
    return ap;
  }
  // Dense tile layout: tile (i0, ..., ik) is slot i0 * stride_0 + ... of S elements per partition.
  size_t r = g.start.size();
  int64_t F = decl.free_elements(), S = 1;
  for (size_t k = 1; k < r; ++k) S *= g.dense_tile[k];
  for (size_t k = 0; k < r; ++k) {
    int64_t T = g.dense_tile[k], a = g.start[k], n = g.size[k];
    int64_t slot = S, within = 1;
    for (size_t j = k + 1; j < r; ++j) {
      slot *= g.dense_count[j];
      within *= g.dense_tile[j];
    }
    bool one_tile = a / T == (a + n - 1) / T;
    if (k == 0) {
      if (!one_tile) {
        why = "it spans " + std::to_string((a + n - 1) / T - a / T + 1) + " partition tiles (rows " +
              std::to_string(a) + ".." + std::to_string(a + n - 1) + " of tiles of " + std::to_string(T) +
              " partitions), which lie side by side along the free dimension";
        return std::nullopt;
      }
      ap.offset += (a % T) * F + (a / T) * slot;
      ap.dims.push_back({F, n});
      continue;
    }
    if (!one_tile && slot != T * within) {
      why = "its tiles along dimension " + std::to_string(k) + " are not adjacent in the dense tile layout";
      return std::nullopt;
    }
    ap.offset += one_tile ? (a / T) * slot + (a % T) * within : a * within;
    ap.dims.push_back({within, n});
  }
  return ap;
}

Value grid_data(Interpreter& in, GridObj& g, Span s) {
  const TensorDecl& decl = in.program.tensors[g.base.tensor];
  std::string why;
  std::optional<AccessPattern> ap = selection_ap(g, decl, why);
  if (!ap)
    in.error(s,
             "this grid selection of " + shape_str([&] {
               std::vector<int64_t> e;
               for (size_t d = 0; d < g.size.size(); ++d)
                 if (!g.dropped[d]) e.push_back(g.size[d]);
               return e;
             }()) +
                 " elements cannot be one tensor operand: " + why,
             "select one partition tile (g[i, ...]) and use its .data, or check g.is_data_representable");
  auto t = std::make_shared<TensorObj>();
  t->ap = std::move(*ap);
  bool full = !g.dense && g.whole_source;
  for (size_t d = 0; d < g.start.size() && full; ++d)
    full = !g.dropped[d] && g.start[d] == 0 && g.size[d] == g.base.dims[d].num;
  t->whole = full;
  t->indexed = !full;
  return Value::wrap(VK::Tensor, t);
}

bool is_remainder(const GridObj& g) {
  for (size_t k = 0; k < g.tiled.size(); ++k)
    if (g.size[g.tiled[k]] % (g.tile[k] * (g.block.empty() ? 1 : g.block[k])) != 0) return true;
  return false;
}

// g[i, j], g[i, :], g[a:b, j]: one entry per grid axis (missing trailing entries select every cell).
Value index_grid(Interpreter& in, const GridObj& src, const Value& index, Span s) {
  auto g = std::make_shared<GridObj>(src);
  std::vector<Value> items = index.k == VK::Tuple ? index.as<SeqObj>()->items : std::vector<Value>{index};
  if (items.size() > g->axes.size())
    in.error(s, "too many indices for a grid of shape " + shape_str([&] {
                  std::vector<int64_t> c;
                  for (auto& x : src.axes) c.push_back(src.count(x));
                  return c;
                }()) +
                    ": " + std::to_string(items.size()) + " given");
  std::vector<GridObj::Axis> kept;
  for (size_t i = 0; i < g->axes.size(); ++i) {
    GridObj::Axis x = g->axes[i];
    int64_t n = g->count(x);
    if (i >= items.size()) {
      kept.push_back(x);
      continue;
    }
    const Value& ix = items[i];
    int64_t lo = 0, hi = n;
    if (ix.is_int()) {
      lo = ix.as_int() < 0 ? ix.as_int() + n : ix.as_int();
      if (lo < 0 || lo >= n)
        in.error(s, "grid index " + std::to_string(ix.as_int()) + " is out of range for axis " + std::to_string(i) +
                        " with " + std::to_string(n) + " cells");
      hi = lo + 1;
    } else if (ix.k == VK::Slice) {
      if (auto* sl = ix.as<SliceObj>()) {
        auto bound = [&](const Value& v, int64_t dflt) {
          if (v.is_none()) return dflt;
          int64_t b = expect_int(in, v, s, "grid slice bound");
          return std::clamp(b < 0 ? b + n : b, int64_t{0}, n);
        };
        if (!sl->step.is_none() && !(sl->step.is_int() && sl->step.as_int() == 1))
          in.error(s, "grid slices take no step: a selection is a contiguous range of cells");
        lo = bound(sl->start, 0);
        hi = bound(sl->stop, n);
      }
      if (hi <= lo) in.error(s, "grid slice selects no cells of axis " + std::to_string(i));
      kept.push_back(x);
    } else {
      in.error(s, std::string("grid indices must be ints or slices, not '") + type_name(ix.k) + "'");
    }
    size_t d = x.dim;
    g->start[d] += lo * x.step;
    g->size[d] = std::min((hi - lo) * x.step, g->size[d] - lo * x.step);
    if (ix.is_int() && x.step == 1 && std::find(g->tiled.begin(), g->tiled.end(), d) == g->tiled.end())
      g->dropped[d] = true;  // an untiled dim: the int consumes it, as indexing a tensor does
  }
  g->axes = std::move(kept);
  return Value::wrap(VK::Instance, g);
}

Value buffer_of(const TensorDecl& decl) {
  switch (decl.mem) {
    case Mem::SBUF: return Value::buffer(BufferKind::SBUF);
    case Mem::PSUM: return Value::buffer(BufferKind::PSUM);
    case Mem::HBM: break;
  }
  return Value::buffer(decl.role == TensorRole::Internal ? BufferKind::SharedHBM : BufferKind::HBM);
}

// A class attribute computed from the grid (the "property" wrapper Interpreter::instance_getattr calls).
void add_property(ClassObj& c, const Value& prop_cls, const std::string& name,
                  std::function<Value(Interpreter&, GridObj&, Span)> f) {
  auto w = std::make_shared<InstanceObj>();
  w->cls = prop_cls;
  w->attrs.push_back({"__func__", make_builtin("nki.language.NkiGrid." + name, [f](Interpreter& in, CallArgs& a) {
                        return f(in, expect_grid(in, a.pos.at(0), a.call_span), a.call_span);
                      })});
  c.ns[name] = Value::wrap(VK::Instance, w);
}

Value make_class(const std::string& name, std::vector<Value> bases) {
  auto c = std::make_shared<ClassObj>();
  c->name = name;
  c->builtin = "nki.language." + name;
  c->bases = std::move(bases);
  return Value::wrap(VK::Class, c);
}

// New storage of `elems` for a grid of `tile` tiles: HBM a plain tensor of elems; SBUF/PSUM the dense
// tile layout. Goes through nl.ndarray (its checks); `spans`: element_shape, dtype, buffer, name, address.
std::shared_ptr<GridObj> alloc_storage(Interpreter& in, const Value& ndarray, const std::vector<int64_t>& tile,
                                       const std::vector<int64_t>& elems, const Value& buffer, const Value& dtype,
                                       const Value& address, const Value& name, Span call_span, Span tile_span,
                                       const std::vector<Span>& spans) {
  bool chip = mem_of(buffer.as_buffer()) != Mem::HBM;
  CallArgs nd;
  nd.call_span = call_span;
  nd.pos_spans = spans;
  if (!chip) {
    nd.pos = {int_tuple(elems), dtype, buffer, name, address};
    Value t = in.call(ndarray, nd);
    return view_grid(*t.as<TensorObj>());
  }
  if (tile.size() != elems.size())
    in.error(tile_span,
             "an SBUF/PSUM grid is tiled in every dimension: tile_shape " + shape_str(tile) +
                 " must have as many dimensions as element_shape " + shape_str(elems),
             "only HBM grids have untiled leading dimensions");
  auto g = std::make_shared<GridObj>();
  g->dense = true;
  int64_t free = 1;
  for (size_t k = 0; k < tile.size(); ++k) {
    g->dense_tile.push_back(std::min(tile[k], elems[k]));
    g->dense_count.push_back((elems[k] + tile[k] - 1) / tile[k]);
    free *= (k ? g->dense_tile[k] : 1) * g->dense_count[k];
  }
  nd.pos_spans[0] = tile_span;  // the partition and byte limits are the tile's
  nd.pos = {int_tuple({g->dense_tile[0], free}), dtype, buffer, name, address};
  Value t = in.call(ndarray, nd);
  g->base = t.as<TensorObj>()->ap;
  g->start.assign(elems.size(), 0);
  g->size = elems;
  g->dropped.assign(elems.size(), false);
  return g;
}

}  // namespace

void add_tile_grids(ModuleObj& nl, const Value& ndarray) {
  auto pc = std::make_shared<ClassObj>();
  pc->name = pc->builtin = "property";
  Value prop_cls = Value::wrap(VK::Class, pc);

  Value base_cls = make_class("NkiGrid", {});
  ClassObj& base = *base_cls.as<ClassObj>();
  base.ns["__init__"] = make_builtin("nki.language.NkiGrid.__init__", [](Interpreter& in, CallArgs& a) -> Value {
    in.error(a.call_span,
             "grids are not constructed directly: use nl.tiles, nl.blocks, nl.alloc_tiles or nl.alloc_blocks");
  });
  base.ns["__getitem__"] = make_builtin("nki.language.NkiGrid.__getitem__", [](Interpreter& in, CallArgs& a) {
    return index_grid(in, expect_grid(in, a.pos.at(0), a.call_span), a.pos.at(1), a.call_span);
  });
  add_property(base, prop_cls, "shape", [](Interpreter&, GridObj& g, Span) {
    std::vector<int64_t> c;
    for (auto& x : g.axes) c.push_back(g.count(x));
    return int_tuple(c);
  });
  add_property(base, prop_cls, "tile_shape", [](Interpreter&, GridObj& g, Span) { return int_tuple(g.tile); });
  add_property(base, prop_cls, "element_shape", [](Interpreter&, GridObj& g, Span) {
    std::vector<int64_t> e;
    for (size_t d = 0; d < g.size.size(); ++d)
      if (!g.dropped[d]) e.push_back(g.size[d]);
    return int_tuple(e);
  });
  add_property(base, prop_cls, "index_step_elements", [](Interpreter&, GridObj& g, Span) {
    std::vector<int64_t> st;
    for (auto& x : g.axes) st.push_back(x.step);
    return int_tuple(st);
  });
  add_property(base, prop_cls, "buffer",
               [](Interpreter& in, GridObj& g, Span) { return buffer_of(in.program.tensors[g.base.tensor]); });
  add_property(base, prop_cls, "dtype", [](Interpreter&, GridObj& g, Span) { return Value::dtype(g.base.dtype); });
  add_property(base, prop_cls, "is_remainder",
               [](Interpreter&, GridObj& g, Span) { return Value::boolean(is_remainder(g)); });
  add_property(base, prop_cls, "is_data_representable", [](Interpreter& in, GridObj& g, Span) {
    std::string why;
    return Value::boolean(selection_ap(g, in.program.tensors[g.base.tensor], why).has_value());
  });
  add_property(base, prop_cls, "data", grid_data);
  g_tile_cls = make_class("NkiTileGrid", {base_cls});
  g_block_cls = make_class("NkiBlockGrid", {base_cls});
  add_property(*g_block_cls.as<ClassObj>(), prop_cls, "block_shape",
               [](Interpreter&, GridObj& g, Span) { return int_tuple(g.block); });
  nl.ns["NkiGrid"] = base_cls;
  nl.ns["NkiTileGrid"] = g_tile_cls;
  nl.ns["NkiBlockGrid"] = g_block_cls;

  // Keyword-only parameters (the `*` of AWS's signatures): a positional one is an error.
  auto keyword_only = [](Interpreter& in, const CallArgs& a, size_t positional, const std::string& fname) {
    if (a.pos.size() > positional)
      in.error(a.pos_spans[positional],
               "nl." + fname + " takes " +
                   (positional ? "one positional argument (source)" : "keyword arguments only") +
                   "; pass the rest by name");
  };
  static const std::vector<Param> tiles_params = {{"source", true}, {"tile_shape", false}};
  nl.ns["tiles"] = make_builtin("nki.language.tiles", tiles_params, [keyword_only](Interpreter& in, CallArgs& a) {
    keyword_only(in, a, 1, "tiles");
    auto v = in.bind(a, "tiles", tiles_params);  // over a block grid: its tiles (the block-to-tile transition)
    return make_grid(in, v[0], v[1], {}, in.arg_span(a, tiles_params, 0), in.arg_span(a, tiles_params, 1), a.call_span);
  });
  // block_shape is required, but after an optional parameter: checked by hand (the stub says None).
  static const std::vector<Param> blocks_params = {{"source", true}, {"tile_shape", false}, {"block_shape", false}};
  nl.ns["blocks"] = make_builtin("nki.language.blocks", blocks_params, [keyword_only](Interpreter& in, CallArgs& a) {
    keyword_only(in, a, 1, "blocks");
    auto v = in.bind(a, "blocks", blocks_params);
    Span bs = in.arg_span(a, blocks_params, 2);
    if (v[2].is_none()) in.error(a.call_span, "nl.blocks needs block_shape= (tiles per block along each tiled dim)");
    std::vector<int64_t> block = shape_arg(in, v[2], bs, "block_shape", 1);
    return make_grid(in, v[0], v[1], block, in.arg_span(a, blocks_params, 0), in.arg_span(a, blocks_params, 1), bs);
  });

  // alloc_tiles / alloc_blocks: HBM is a plain tensor of element_shape; SBUF/PSUM the dense tile layout.
  auto alloc = [ndarray, keyword_only](Interpreter& in, CallArgs& a, const std::vector<Param>& ps, bool blocks) {
    std::string fname = blocks ? "alloc_blocks" : "alloc_tiles";
    keyword_only(in, a, 0, fname);
    auto v = in.bind(a, fname, ps);
    size_t at = blocks ? 1 : 0;  // alloc_blocks: tile_shape, block_shape, element_shape, ...
    Span tile_span = in.arg_span(a, ps, 0), elem_span = in.arg_span(a, ps, 1 + at);
    std::vector<int64_t> tile = shape_arg(in, v[0], tile_span, "tile_shape", 2);
    std::vector<int64_t> block =
        blocks ? shape_arg(in, v[1], in.arg_span(a, ps, 1), "block_shape", 1) : std::vector<int64_t>{};
    std::vector<int64_t> elems = shape_arg(in, v[1 + at], elem_span, "element_shape", 1);
    if (tile.size() > elems.size())
      in.error(tile_span,
               "tile_shape " + shape_str(tile) + " has more dimensions than element_shape " + shape_str(elems));
    const Value& buffer = v[2 + at];
    if (buffer.k != VK::Buffer)
      in.error(in.arg_span(a, ps, 2 + at), "buffer must be nl.sbuf, nl.psum, nl.hbm, nl.shared_hbm or nl.private_hbm");
    std::vector<Span> spans = {elem_span, in.arg_span(a, ps, 3 + at), in.arg_span(a, ps, 2 + at),
                               in.arg_span(a, ps, 5 + at), in.arg_span(a, ps, 4 + at)};
    std::shared_ptr<GridObj> g =
        alloc_storage(in, ndarray, tile, elems, buffer, v[3 + at], v[4 + at], v[5 + at], a.call_span, tile_span, spans);
    return finish(in, g, tile, block, tile_span, in.arg_span(a, ps, 1));
  };

  // nl.empty_like(grid, dtype=None, buffer=None, name=''): a new uninitialized grid with the grid's
  // element_shape, tile (and block) shape, dtype and buffer unless overridden; a tensor: nl.empty_like.
  auto* tensor_like = nl.ns["empty_like"].as<BuiltinObj>();
  auto like = std::make_shared<BuiltinObj>(*tensor_like);
  like->fn = [ndarray, tensor_fn = tensor_like->fn, params = tensor_like->params](Interpreter& in,
                                                                                  CallArgs& a) -> Value {
    auto v = in.bind(a, "empty_like", *params);  // x, dtype, buffer, name
    GridObj* src = as_grid(v[0]);
    if (!src) return tensor_fn(in, a);
    std::vector<int64_t> elems;
    for (size_t d = 0; d < src->size.size(); ++d)
      if (!src->dropped[d]) elems.push_back(src->size[d]);
    Value buffer = v[2].is_none() ? buffer_of(in.program.tensors[src->base.tensor]) : v[2];
    Span buffer_span = in.arg_span(a, *params, 2);
    if (buffer.k != VK::Buffer)
      in.error(buffer_span, "buffer must be nl.sbuf, nl.psum, nl.hbm, nl.shared_hbm or nl.private_hbm");
    Value dtype = v[1].is_none() ? Value::dtype(src->base.dtype) : v[1];
    std::vector<Span> spans = {a.call_span, in.arg_span(a, *params, 1), buffer_span, in.arg_span(a, *params, 3),
                               a.call_span};
    auto g = alloc_storage(in, ndarray, src->tile, elems, buffer, dtype, Value::none(), v[3], a.call_span, a.call_span,
                           spans);
    return finish(in, g, src->tile, src->block, a.call_span, a.call_span);
  };
  nl.ns["empty_like"] = Value::wrap(VK::Builtin, like);

  static const std::vector<Param> alloc_tiles_params = {{"tile_shape", true}, {"element_shape", true},
                                                        {"buffer", true},     {"dtype", true},
                                                        {"address", false},   {"name", false, Value::str("")}};
  nl.ns["alloc_tiles"] =
      make_builtin("nki.language.alloc_tiles", alloc_tiles_params,
                   [alloc](Interpreter& in, CallArgs& a) { return alloc(in, a, alloc_tiles_params, false); });
  static const std::vector<Param> alloc_blocks_params = {
      {"tile_shape", true}, {"block_shape", true}, {"element_shape", true},        {"buffer", true},
      {"dtype", true},      {"address", false},    {"name", false, Value::str("")}};
  nl.ns["alloc_blocks"] =
      make_builtin("nki.language.alloc_blocks", alloc_blocks_params,
                   [alloc](Interpreter& in, CallArgs& a) { return alloc(in, a, alloc_blocks_params, true); });
}

}  // namespace nkic::trace
