// Direct allocation (see legacy.h): the ncc.sbuf/psum allocators, the address each logical block gets
// from them (checked against the start-partition, alignment and range rules), the "all or nothing" state
// of the kernel, and the ncc decorators. Block tensors and the creation calls are in
// legacy_alloc_blocks.cpp; lifetime conflicts are found by the allocate pass, which knows the live ranges.
#include <algorithm>

#include "target/rules.h"
#include "trace/legacy_alloc.h"

namespace nkic::trace {

namespace {

constexpr const char* kStateKey = "<direct allocation state>";  // not a Python name: unreachable from kernels

// The tuple argument of mod_alloc (num_*_tiles): positive ints, () meaning all ones.
std::vector<int64_t> tile_counts(Interpreter& in, const Value& v, Span s, const std::string& what) {
  if (v.is_int()) return {expect_int(in, v, s, what)};
  if (v.k != VK::Tuple && v.k != VK::List) in.error(s, what + " must be a tuple of positive integers");
  std::vector<int64_t> out;
  for (const Value& x : v.as<SeqObj>()->items) {
    int64_t n = expect_int(in, x, s, what + " entries");
    if (n <= 0) in.error(s, what + " entries must be positive, got " + std::to_string(n));
    out.push_back(n);
  }
  return out;
}

Value counts_value(const std::vector<int64_t>& c) {
  std::vector<Value> items;
  for (int64_t n : c) items.push_back(Value::integer(n));
  return Value::tuple(items);
}

// Row-major index of `idx % shape` in `shape` (() = all ones: 0).
int64_t lin(const std::vector<int64_t>& shape, const std::vector<int64_t>& idx) {
  int64_t r = 0;
  for (size_t i = 0; i < shape.size(); ++i) r = r * shape[i] + idx[i] % shape[i];
  return r;
}

std::vector<int64_t> counts_of(const Value& v) {
  std::vector<int64_t> out;
  for (const Value& x : v.as<SeqObj>()->items) out.push_back(x.as_int());
  return out;
}

Value attr(const Value& inst, const std::string& name) {
  Value* v = inst.as<InstanceObj>()->find(name);
  return v ? *v : Value::none();
}

// The kernel's decorators include ncc.force_auto_alloc (read from the source: the kernel's own decorators
// are not evaluated; the host-side decorator returns the kernel unchanged).
bool kernel_forces_auto_alloc(Interpreter& in) {
  const Program& p = in.program;
  if (p.locs.empty() || !p.locs[0].loc.file) return false;
  const SourceFile& f = *p.locs[0].loc.file;
  for (uint32_t line = p.locs[0].loc.span.line; line-- > 1;) {
    std::string_view t = f.line(line);
    size_t b = t.find_first_not_of(" \t");
    if (b == std::string_view::npos) break;
    if (t[b] == '@') {
      if (t.find("force_auto_alloc") != std::string_view::npos) return true;
    } else if (b == 0 && t[0] != ')') {
      break;  // a statement before the decorators
    }
  }
  return false;
}

}  // namespace

std::string idx_text(const std::vector<int64_t>& idx) {
  std::string s = "(";
  for (size_t i = 0; i < idx.size(); ++i) s += (i ? ", " : "") + std::to_string(idx[i]);
  return s + (idx.size() == 1 ? ",)" : ")");
}

AllocState& alloc_state(Interpreter& in) {
  Value m = in.builtin_module("neuronxcc.nki.compiler");
  AllocState& st = *m.as<ModuleObj>()->ns[kStateKey].as<AllocState>();
  if (st.force_auto < 0) st.force_auto = kernel_forces_auto_alloc(in) ? 1 : 0;
  return st;
}

bool is_allocator(const Value& v) {
  return v.k == VK::Instance && v.as<InstanceObj>()->cls.as<ClassObj>()->builtin == "neuronxcc.allocator";
}

Mem allocator_mem(const Value& alloc) { return attr(alloc, "memory").as_int() == 1 ? Mem::PSUM : Mem::SBUF; }

void place_block(Interpreter& in, const Value& alloc, Span s, const std::vector<int64_t>& idx, int64_t pdim,
                 int64_t fdim_bytes, DType dt, uint32_t tensor) {
  const Target& t = in.tgt;
  bool psum = allocator_mem(alloc) == Mem::PSUM;
  std::string kind = attr(alloc, "kind").as<StrObj>()->s;
  std::string what = (psum ? "ncc.psum." : "ncc.sbuf.") + kind;
  std::string block = "block " + idx_text(idx);
  auto fail = [&](const std::string& msg, const std::string& hint = "") {
    in.error(s, what + ": " + block + ": " + msg, hint, "validation");
  };
  int64_t bank = 0, start = 0, byte = 0;
  if (kind == "alloc") {
    std::vector<Value> iv;
    for (int64_t i : idx) iv.push_back(Value::integer(i));
    CallArgs ca;
    ca.pos = {Value::tuple(iv), Value::integer(pdim), Value::integer(fdim_bytes)};
    ca.pos_spans.assign(3, s);
    ca.call_span = s;
    Value r = in.call(attr(alloc, "func"), ca);
    size_t n = psum ? 3 : 2;
    if ((r.k != VK::Tuple && r.k != VK::List) || r.as<SeqObj>()->items.size() != n)
      fail(std::string("the allocation function must return ") +
           (psum ? "(bank_id, start_partition, byte_addr)" : "(start_partition, byte_addr)") + ", not " + repr(r));
    const auto& items = r.as<SeqObj>()->items;
    for (const Value& x : items)
      if (!x.is_int()) fail("the allocation function returned " + repr(r) + ": its entries must be integers");
    if (psum) bank = items[0].as_int();
    start = items[n - 2].as_int();
    byte = items[n - 1].as_int();
  } else {  // mod_alloc
    auto counts = [&](const char* name) {
      std::vector<int64_t> c = counts_of(attr(alloc, name));
      if (!c.empty() && c.size() != idx.size())
        in.error(s,
                 what + ": " + name + "=" + repr(attr(alloc, name)) + " has " + std::to_string(c.size()) +
                     " entries, but the tensor has " + std::to_string(idx.size()) + " block dimension" +
                     (idx.size() == 1 ? "" : "s"),
                 "give one entry per block dimension, or () for a single physical tile", "validation");
      return c;
    };
    start = attr(alloc, "base_partition").as_int() + lin(counts("num_par_tiles"), idx) * pdim;
    byte = attr(alloc, "base_addr").as_int() + lin(counts("num_free_tiles"), idx) * fdim_bytes;
    if (psum) bank = attr(alloc, "base_bank").as_int() + lin(counts("num_bank_tiles"), idx);
  }
  if (psum) {
    int64_t banks = t.psum_partition_bytes / t.psum_bank_bytes;
    if (fdim_bytes > t.psum_bank_bytes)
      fail("the tile needs " + std::to_string(fdim_bytes) + " bytes per partition, but a PSUM tile cannot cross a " +
               std::to_string(t.psum_bank_bytes) + "-byte bank",
           "PSUM tiles hold at most 2 KiB per partition (512 fp32 elements)");
    if (bank < 0 || bank >= banks)
      fail("bank " + std::to_string(bank) + " is outside PSUM banks 0-" + std::to_string(banks - 1));
    if (start != 0 || byte != 0)
      fail("start partition " + std::to_string(start) + " and byte address " + std::to_string(byte) +
               " must both be 0 (one tile per PSUM bank, from partition 0)",
           "PSUM direct allocation places whole banks: base_addr and base_partition must be 0");
    start = 0;
    byte = bank * t.psum_bank_bytes;
  } else {
    std::vector<int32_t> legal = legal_start_partitions(pdim, t.partitions);
    if (std::find(legal.begin(), legal.end(), start) == legal.end())
      fail("a tile of " + std::to_string(pdim) + " partitions cannot start at partition " + std::to_string(start) +
               "; it must start at " + start_list(legal),
           "tiles of 65-128 partitions start at 0, of 33-64 at 0 or 64, of up to 32 at 0, 32, 64 or 96");
    int64_t cap = t.sbuf_usable_bytes;
    if (byte < 0 || byte >= cap || byte + fdim_bytes > cap)
      fail("bytes [" + std::to_string(byte) + ", " + std::to_string(byte + fdim_bytes) +
               ") per partition are outside the " + std::to_string(cap) + " usable SBUF bytes of a partition",
           "byte addresses run from 0 to total_available_sbuf_size (" + std::to_string(cap) + ")");
    int64_t align = std::max<int64_t>(t.sbuf_min_align, size_of(dt));
    if (byte % align != 0)
      fail("byte address " + std::to_string(byte) + " is not a multiple of " + std::to_string(align) + " (the " +
           std::string(name_of(dt)) + " element size and sbuf_min_align)");
  }
  TensorDecl& d = in.program.tensors[tensor];  // after the user's function ran (it may declare tensors)
  d.start_partition = static_cast<int32_t>(start);
  d.byte_offset = byte;
  d.user_address = true;
  d.multi_buffer = false;  // the kernel placed it: no reservation beyond its live range
  d.da_block = idx_text(idx);
}

void legacy_hidden_temporaries(Interpreter& in, Span s, const std::string& call, const std::string& hint) {
  AllocState& st = alloc_state(in);
  if (st.direct)
    in.error(s, call + " allocates hidden temporary tensors, which a kernel using direct allocation cannot place",
             hint);
  if (st.hidden.empty()) st.hidden = call + " (line " + std::to_string(s.line) + ")";
}

bool legacy_direct_allocation(Interpreter& in) { return alloc_state(in).direct; }

void add_legacy_alloc(ModuleObj& nl, ModuleObj& ncc) {
  ncc.ns[kStateKey] = Value::wrap(VK::None, std::make_shared<AllocState>());
  auto cls = std::make_shared<ClassObj>();
  cls->name = "Allocator";
  cls->builtin = "neuronxcc.allocator";
  Value cls_v = Value::wrap(VK::Class, cls);
  auto make = [cls_v](int memory, const std::string& kind, std::vector<std::pair<std::string, Value>> attrs) {
    auto o = std::make_shared<InstanceObj>();
    o->cls = cls_v;
    o->attrs = {{"memory", Value::integer(memory)}, {"kind", Value::str(kind)}};
    for (auto& a : attrs) o->attrs.push_back(std::move(a));
    return Value::wrap(VK::Instance, o);
  };
  for (int memory : {0, 1}) {
    bool psum = memory == 1;
    std::string mname = psum ? "psum" : "sbuf";
    std::string q = "neuronxcc.nki.compiler." + mname + ".";
    auto m = std::make_shared<ModuleObj>();
    m->name = "neuronxcc.nki.compiler." + mname;
    static const std::vector<Param> alloc_params = {{"func", true}};
    m->ns["alloc"] = make_builtin(q + "alloc", alloc_params, [make, memory](Interpreter& in, CallArgs& a) {
      auto v = in.bind(a, "alloc", alloc_params);
      if (v[0].k != VK::Function && v[0].k != VK::Builtin && v[0].k != VK::BoundMethod && v[0].k != VK::Instance)
        in.error(in.arg_span(a, alloc_params, 0),
                 "alloc() takes a function (idx, pdim_size, fdim_size) -> address, not '" +
                     std::string(type_name(v[0].k)) + "'");
      return make(memory, "alloc", {{"func", v[0]}});
    });
    static const std::vector<Param> sbuf_mod = {{"base_addr", true},
                                                {"base_partition", false, Value::integer(0)},
                                                {"num_par_tiles", false, Value::tuple({})},
                                                {"num_free_tiles", false, Value::tuple({})},
                                                {"byte_addr", false}};
    static const std::vector<Param> psum_mod = {{"base_bank", true},
                                                {"base_addr", false, Value::integer(0)},
                                                {"base_partition", false, Value::integer(0)},
                                                {"num_bank_tiles", false, Value::tuple({})},
                                                {"num_par_tiles", false, Value::tuple({})},
                                                {"num_free_tiles", false, Value::tuple({})}};
    const std::vector<Param>* pps = psum ? &psum_mod : &sbuf_mod;
    m->ns["mod_alloc"] = make_builtin(q + "mod_alloc", *pps, [make, memory, pps](Interpreter& in, CallArgs& a) {
      const std::vector<Param>& ps = *pps;
      // The DA guide writes byte_addr= for base_addr= (legacy-spec.md §9.3): accepted, with a warning.
      if (memory == 0)
        for (size_t k = 0; k < a.kw.size(); ++k)
          if (a.kw[k].first == "byte_addr") {
            bool has_base = std::any_of(a.kw.begin(), a.kw.end(), [](auto& kv) { return kv.first == "base_addr"; });
            if (has_base || !a.pos.empty())
              in.py_raise(a.kw_spans[k], "TypeError", "mod_alloc() got both base_addr and byte_addr");
            in.warning(a.kw_spans[k], "mod_alloc(byte_addr=) is spelled base_addr=", "write base_addr=");
            a.kw[k].first = "base_addr";
          }
      if (!a.pos.empty()) in.py_raise(a.call_span, "TypeError", "mod_alloc() takes keyword arguments only");
      auto v = in.bind(a, "mod_alloc", ps);
      std::vector<std::pair<std::string, Value>> attrs;
      for (size_t i = 0; i < ps.size(); ++i) {
        std::string n = ps[i].name;
        if (n == "byte_addr") continue;
        Span s = in.arg_span(a, ps, i);
        if (n.rfind("num_", 0) == 0) {
          attrs.push_back({n, counts_value(tile_counts(in, v[i], s, n))});
        } else {
          int64_t x = expect_int(in, v[i], s, n);
          if (x < 0) in.error(s, n + " must not be negative, got " + std::to_string(x), "", "validation");
          attrs.push_back({n, Value::integer(x)});
        }
      }
      return make(memory, "mod_alloc", std::move(attrs));
    });
    // auto_alloc(): the compiler allocates; the same as buffer=nl.sbuf / nl.psum.
    m->ns["auto_alloc"] = make_builtin(q + "auto_alloc", std::vector<Param>{}, [psum](Interpreter& in, CallArgs& a) {
      in.bind(a, "auto_alloc", {});
      return Value::buffer(psum ? BufferKind::PSUM : BufferKind::SBUF);
    });
    ncc.ns[mname] = Value::wrap(VK::Module, m);
  }
  // Decorators (with or without arguments): the kernel's own are read from its source (force_auto_alloc);
  // on helper functions they change nothing.
  for (const char* n : {"force_auto_alloc", "skip_middle_end_transformations", "enable_stack_allocator"}) {
    std::string name = n;
    static const std::vector<Param> dec_params = {{"func", false}, {"log_level", false}};
    ncc.ns[name] = make_builtin("neuronxcc.nki.compiler." + name, [name](Interpreter& in, CallArgs& a) -> Value {
      auto v = in.bind(a, name, dec_params);
      if (!v[0].is_none()) return v[0];
      return make_builtin(name,
                          [](Interpreter&, CallArgs& b) -> Value { return b.pos.empty() ? Value::none() : b.pos[0]; });
    });
  }
  add_legacy_blocks(nl);
}

}  // namespace nkic::trace
