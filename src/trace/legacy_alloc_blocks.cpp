// nl.par_dim and block dimensions (see legacy.h): a shape (B..., P, F...) declares prod(B) logical (P, F...)
// tiles. Loops are unrolled, so block indices are concrete: each logical tile is its own TensorDecl, and a
// block tensor is an object whose subscript picks one (then applies the rest of the index to it).
// Also the Beta 1 creation calls (nl.ndarray, zeros, ones, full, zeros_like, empty_like), which take
// shapes with par_dim and the ncc allocators as buffer=.
#include <optional>

#include "trace/legacy_alloc.h"

namespace nkic::trace {

Value emit_memset(Interpreter& in, const Value& dst, double value, Span s);

namespace {

constexpr int64_t kMaxBlocks = 1 << 16;  // logical tiles per declaration (each is a TensorDecl)

bool is_par_dim(const Value& v) {
  return v.k == VK::Instance && v.as<InstanceObj>()->cls.as<ClassObj>()->builtin == "neuronxcc.par_dim";
}

bool is_block_tensor(const Value& v) {
  return v.k == VK::Instance && v.as<InstanceObj>()->cls.as<ClassObj>()->builtin == "neuronxcc.block_tensor";
}

Value attr(const Value& inst, const std::string& name) {
  Value* v = inst.as<InstanceObj>()->find(name);
  return v ? *v : Value::none();
}

std::string block_suffix(const std::vector<int64_t>& idx) {
  std::string s = "[";
  for (size_t i = 0; i < idx.size(); ++i) s += (i ? ", " : "") + std::to_string(idx[i]);
  return s + "]";
}

// The logical tile of block tensor `bt` that the leading entries of `index` select, and the rest of the
// index (None when nothing is left).
std::pair<Value, Value> select_tile(Interpreter& in, const Value& bt, const Value& index, Span s) {
  std::vector<Value> items = index.k == VK::Tuple ? index.as<SeqObj>()->items : std::vector<Value>{index};
  const auto& bdims = attr(bt, "<bdims>").as<SeqObj>()->items;
  std::string name = attr(bt, "name").as<StrObj>()->s;
  size_t nb = bdims.size();
  if (items.size() < nb)
    in.error(s,
             "'" + name + "' has " + std::to_string(nb) + " block dimensions: index every one of them to select a tile",
             "t[i] selects one (P, F...) tile of a tensor with one block dimension, t[i, j] of one with two");
  int64_t flat = 0;
  for (size_t k = 0; k < nb; ++k) {
    const Value& x = items[k];
    if (!x.is_int())
      in.error(s,
               "block index " + std::to_string(k) + " of '" + name + "' must be an integer (a loop variable or a " +
                   "constant), not '" + type_name(x.k) + "'",
               "block dimensions are indexed one tile at a time; slices and index grids apply to the tile's own dims");
    int64_t n = bdims[k].as_int(), i = x.as_int();
    if (i < 0) i += n;
    if (i < 0 || i >= n)
      in.error(s, "block index " + std::to_string(x.as_int()) + " is out of range for block dimension " +
                      std::to_string(k) + " of '" + name + "' (size " + std::to_string(n) + ")");
    flat = flat * n + i;
  }
  Value tile = attr(bt, "<tiles>").as<SeqObj>()->items[flat];
  std::vector<Value> rest(items.begin() + static_cast<std::ptrdiff_t>(nb), items.end());
  Value r = rest.empty() ? Value::none() : rest.size() == 1 ? rest[0] : Value::tuple(rest);
  return {tile, r};
}

struct Decl {
  std::string fname;  // "ndarray", "zeros", ...
  Value shape, dtype, buffer, name;
  Span shape_span, dtype_span, buffer_span, name_span, call;
  std::optional<double> fill;
};

Value declare(Interpreter& in, const Decl& d, const Value& block_cls) {
  size_t ppos = 0;
  std::vector<int64_t> shape = legacy_shape(in, d.shape, d.shape_span, &ppos);
  Value buffer = d.buffer.is_none() ? Value::buffer(BufferKind::SBUF) : d.buffer;
  Value alloc;
  if (is_allocator(buffer)) {
    bool psum = allocator_mem(buffer) == Mem::PSUM;
    if (!alloc_state(in).force_auto) alloc = buffer;  // @ncc.force_auto_alloc: the compiler allocates
    buffer = Value::buffer(psum ? BufferKind::PSUM : BufferKind::SBUF);
  } else if (buffer.k != VK::Buffer) {
    in.error(d.buffer_span,
             "buffer must be nl.sbuf, nl.psum, nl.hbm, nl.shared_hbm, nl.private_hbm or an ncc.sbuf / ncc.psum "
             "allocator, not '" +
                 std::string(type_name(buffer.k)) + "'");
  }
  bool hbm = mem_of(buffer.as_buffer()) == Mem::HBM;
  if (hbm) {
    if (d.fill)
      in.error(d.call, "nl." + d.fname + " cannot create an HBM tensor: HBM tensors have no initial value",
               "declare it with nl.ndarray and store into it");
    ppos = 0;  // HBM tensors have no partition dim: par_dim is just a size there
  }
  if (!alloc.is_none()) {
    if (d.fill)
      in.error(d.call,
               "nl." + d.fname + " gives the tensor an initial value, which a directly allocated tensor cannot have",
               "declare it with nl.ndarray and fill it with nisa.memset", "validation");
    AllocState& st = alloc_state(in);
    if (!st.direct && !st.hidden.empty())
      in.error(d.buffer_span,
               "this kernel uses direct allocation, but " + st.hidden +
                   " allocates hidden temporary tensors, which it cannot place",
               "direct allocation is all or nothing: replace that call by one whose tensors the kernel declares");
    st.direct = true;
  }
  std::vector<int64_t> bdims(shape.begin(), shape.begin() + static_cast<std::ptrdiff_t>(ppos));
  std::vector<int64_t> tile(shape.begin() + static_cast<std::ptrdiff_t>(ppos), shape.end());
  int64_t nblocks = 1;
  for (int64_t b : bdims)
    if ((nblocks *= b) > kMaxBlocks)
      in.error(d.shape_span, "more than " + std::to_string(kMaxBlocks) + " logical tiles in one tensor");
  std::string name = d.name.k == VK::Str ? d.name.as<StrObj>()->s : "";
  if (name.empty()) name = in.take_name_hint();
  std::string base = !name.empty() ? name : mem_of(buffer.as_buffer()) == Mem::PSUM ? "psum" : "sbuf";
  int32_t decl_id = alloc.is_none() ? -1 : alloc_state(in).decls++;
  Value ndarray030 = in.builtin_module("nki.language").as<ModuleObj>()->ns["ndarray"];
  std::vector<Value> tile_dims;
  for (int64_t x : tile) tile_dims.push_back(Value::integer(x));
  std::vector<Value> tiles;
  std::vector<int64_t> idx(bdims.size(), 0);
  for (int64_t k = 0; k < nblocks; ++k) {
    for (size_t j = bdims.size(), rest = static_cast<size_t>(k); j-- > 0;) {
      idx[j] = static_cast<int64_t>(rest % static_cast<size_t>(bdims[j]));
      rest /= static_cast<size_t>(bdims[j]);
    }
    CallArgs ca;
    ca.pos = {Value::tuple(tile_dims), d.dtype};
    ca.pos_spans = {d.shape_span, d.dtype_span};
    ca.kw = {{"buffer", buffer}, {"name", Value::str(bdims.empty() ? name : base + block_suffix(idx))}};
    ca.kw_spans = {d.buffer_span, d.name_span};
    ca.call_span = d.call;
    Value t = in.call(ndarray030, ca);
    uint32_t id = t.as<TensorObj>()->ap.tensor;
    if (!alloc.is_none()) {
      const TensorDecl& td = in.program.tensors[id];
      place_block(in, alloc, d.buffer_span, idx, tile[0], td.partition_bytes(), td.dtype, id);
      in.program.tensors[id].da_decl = decl_id;
    }
    if (d.fill && *d.fill == 0.0 && in.program.tensors[id].mem == Mem::PSUM)
      in.defer_psum_zero(t, d.call);  // a PSUM accumulator: zeroed by its first matmul, as AWS's compiler does
    else if (d.fill)
      emit_memset(in, t, *d.fill, d.call);
    tiles.push_back(t);
  }
  if (bdims.empty()) return tiles[0];
  auto o = std::make_shared<InstanceObj>();
  o->cls = block_cls;
  std::vector<Value> dims, bd;
  for (int64_t x : shape) dims.push_back(Value::integer(x));
  for (int64_t x : bdims) bd.push_back(Value::integer(x));
  DType dt = tiles[0].as<TensorObj>()->ap.dtype;
  o->attrs = {{"shape", Value::tuple(dims)},
              {"dtype", Value::dtype(dt)},
              {"ndim", Value::integer(static_cast<int64_t>(dims.size()))},
              {"itemsize", Value::integer(size_of(dt))},
              {"name", Value::str(base)},
              {"<decl_shape>", d.shape},
              {"<buffer>", d.buffer},
              {"<bdims>", Value::tuple(bd)},
              {"<tiles>", Value::list(tiles)}};
  return Value::wrap(VK::Instance, o);
}

}  // namespace

std::vector<int64_t> legacy_shape(Interpreter& in, const Value& shape, Span s, size_t* par_dim_pos) {
  if (par_dim_pos) *par_dim_pos = 0;
  if (shape.k != VK::Tuple && shape.k != VK::List) return expect_shape(in, shape, s, "shape");
  std::vector<Value> plain = shape.as<SeqObj>()->items;
  bool seen = false;
  for (size_t i = 0; i < plain.size(); ++i) {
    if (!is_par_dim(plain[i])) continue;
    if (seen) in.error(s, "a shape has at most one nl.par_dim (the partition dimension)");
    seen = true;
    if (par_dim_pos) *par_dim_pos = i;
    plain[i] = attr(plain[i], "size");
  }
  return expect_shape(in, Value::tuple(plain), s, "shape");
}

void add_legacy_blocks(ModuleObj& nl) {
  auto pd = std::make_shared<ClassObj>();
  pd->name = "par_dim";
  pd->builtin = "neuronxcc.par_dim";
  Value pd_cls = Value::wrap(VK::Class, pd);
  static const std::vector<Param> par_dim_params = {{"size", true}};
  nl.ns["par_dim"] =
      make_builtin("neuronxcc.nki.language.par_dim", par_dim_params, [pd_cls](Interpreter& in, CallArgs& a) {
        auto v = in.bind(a, "par_dim", par_dim_params);
        expect_int(in, v[0], in.arg_span(a, par_dim_params, 0), "par_dim size");
        auto o = std::make_shared<InstanceObj>();
        o->cls = pd_cls;
        o->attrs = {{"size", v[0]}};
        return Value::wrap(VK::Instance, o);
      });

  auto bt = std::make_shared<ClassObj>();
  bt->name = "tensor";
  bt->builtin = "neuronxcc.block_tensor";
  bt->ns["__getitem__"] = make_builtin("tensor.__getitem__", [](Interpreter& in, CallArgs& a) -> Value {
    auto [tile, rest] = select_tile(in, a.pos.at(0), a.pos.at(1), a.call_span);
    return rest.is_none() ? tile : in.subscript(tile, rest, a.call_span);
  });
  bt->ns["__setitem__"] = make_builtin("tensor.__setitem__", [](Interpreter& in, CallArgs& a) -> Value {
    auto [tile, rest] = select_tile(in, a.pos.at(0), a.pos.at(1), a.call_span);
    in.store_subscript(tile, rest.is_none() ? Value::ellipsis() : rest, a.pos.at(2), a.call_span);
    return Value::none();
  });
  Value bt_cls = Value::wrap(VK::Class, bt);

  // Beta 1 signatures (2.26): buffer= and name= are keyword-only; buffer=None is SBUF.
  auto decl_builtin = [bt_cls](const std::string& fname, std::vector<Param> ps, std::optional<double> fill,
                               bool has_fill_value) {
    auto params = std::make_shared<const std::vector<Param>>(std::move(ps));
    return make_builtin("neuronxcc.nki.language." + fname, *params, [=](Interpreter& in, CallArgs& a) -> Value {
      auto v = in.bind(a, fname, *params);
      size_t at = has_fill_value ? 1 : 0;  // full: shape, fill_value, dtype, ...
      Decl d;
      d.fname = fname;
      d.shape = v[0];
      d.dtype = v[1 + at];
      d.buffer = v[2 + at];
      d.name = v[3 + at];
      d.shape_span = in.arg_span(a, *params, 0);
      d.dtype_span = in.arg_span(a, *params, 1 + at);
      d.buffer_span = in.arg_span(a, *params, 2 + at);
      d.name_span = in.arg_span(a, *params, 3 + at);
      d.call = a.call_span;
      d.fill = fill;
      if (has_fill_value) {
        if (!v[1].is_number()) in.error(in.arg_span(a, *params, 1), "fill_value must be a number");
        d.fill = v[1].as_float();
      }
      return declare(in, d, bt_cls);
    });
  };
  auto plain = [](bool fill_value) {
    std::vector<Param> ps = {{"shape", true}};
    if (fill_value) ps.push_back({"fill_value", true});
    for (Param p : std::vector<Param>{{"dtype", true}, {"buffer", false}, {"name", false, Value::str("")}})
      ps.push_back(p);
    return ps;
  };
  nl.ns["ndarray"] = decl_builtin("ndarray", plain(false), std::nullopt, false);
  nl.ns["zeros"] = decl_builtin("zeros", plain(false), 0.0, false);
  nl.ns["ones"] = decl_builtin("ones", plain(false), 1.0, false);
  nl.ns["full"] = decl_builtin("full", plain(true), std::nullopt, true);
  // zeros_like / empty_like(a, dtype=None, *, buffer=None, name=''): a's shape (its par_dim too).
  static const std::vector<Param> like_params = {
      {"a", true}, {"dtype", false}, {"buffer", false}, {"name", false, Value::str("")}};
  for (const char* n : {"zeros_like", "empty_like"}) {
    std::string fname = n;
    nl.ns[fname] = make_builtin(
        "neuronxcc.nki.language." + fname, like_params, [fname, bt_cls](Interpreter& in, CallArgs& a) -> Value {
          auto v = in.bind(a, fname, like_params);
          Decl d;
          d.fname = fname;
          Value dtype;
          if (is_block_tensor(v[0])) {
            d.shape = attr(v[0], "<decl_shape>");
            dtype = attr(v[0], "dtype");
          } else {
            TensorObj* x = expect_tensor(in, v[0], in.arg_span(a, like_params, 0), fname + " a");
            std::vector<Value> dims;
            for (int64_t s : x->shape()) dims.push_back(Value::integer(s));
            d.shape = Value::tuple(dims);
            dtype = Value::dtype(x->ap.dtype);
          }
          d.dtype = v[1].is_none() ? dtype : v[1];
          d.buffer = v[2];
          d.name = v[3];
          d.shape_span = in.arg_span(a, like_params, 0);
          d.dtype_span = in.arg_span(a, like_params, 1);
          d.buffer_span = in.arg_span(a, like_params, 2);
          d.name_span = in.arg_span(a, like_params, 3);
          d.call = a.call_span;
          if (fname == "zeros_like") d.fill = 0.0;
          return declare(in, d, bt_cls);
        });
  }
}

}  // namespace nkic::trace
