// The dynamic checks: a written map beside SBUF and PSUM (one byte per memory byte, set with memset over
// whole rows and tested with memchr, so the cost is a few passes over the bytes an instruction touches),
// and a finiteness scan around each instruction when nonfinite is on. Unwritten bytes read by a lane-local
// instruction (an elementwise or free-axis op: partition p of its results comes from partition p of its
// inputs) are not reported there: they leave those partitions of its results unwritten, and the read is
// reported when such values leave their lanes (a DMA, a matmul). A masked load followed by whole-tile
// compute and a masked store (AWS's Beta 1 tutorials) computes garbage only in lanes it never stores.
#include "sim/shadow.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace nkic::sim {

namespace {
struct Pool {  // the written maps, kept per thread like the memories they shadow (no 24 MB zeroing per run)
  std::vector<uint8_t> sbuf, psum;
};
Pool& pool() {
  thread_local Pool p;
  return p;
}

bool is_sync(const Instruction& in) { return info(in.op).traits & kSync; }

// Operands whose role is Read but which an instruction reads only in part (indexed gathers): a partly
// written source is not a bug there.
bool reads_part(const Instruction& in, size_t k) {
  return (in.op == Opcode::LocalGather || in.op == Opcode::NcNGather) && k == 1;
}

// Partition p of the results depends on partition p of the operands only (engines' lanes).
bool lane_local(const Instruction& in) {
  switch (in.op) {
    case Opcode::TensorTensor:
    case Opcode::TensorScalar:
    case Opcode::ScalarTensorTensor:
    case Opcode::TensorCopy:
    case Opcode::TensorReduce:
    case Opcode::TensorTensorScan:
    case Opcode::Reciprocal:
    case Opcode::Activation:
    case Opcode::Activate2:
    case Opcode::Exponential:
    case Opcode::BnStats:
    case Opcode::BnAggr:
    case Opcode::Max8:
    case Opcode::NcFindIndex8:
    case Opcode::NcMatchReplace8:
    case Opcode::SelectReduce:
    case Opcode::RangeSelect:
    case Opcode::TensorScalarReduce:
    case Opcode::TensorScalarCumulative: return true;
    default: return false;
  }
}

bool checks_finite(DType t) { return is_float(t) && !is_packed(t); }

// Whether every element of v is finite (scratch: a row buffer).
bool all_finite(const PhysView& v, std::vector<float>& scratch) {
  scratch.resize(static_cast<size_t>(std::max<int64_t>(v.free_elems(), 1)));
  for (int64_t p = 0; p < v.pnum; ++p) {
    load_partition(v, p, scratch.data());
    for (int64_t j = 0; j < v.free_elems(); ++j)
      if (!std::isfinite(scratch[static_cast<size_t>(j)])) return false;
  }
  return true;
}

std::string range(int64_t lo, int64_t hi) {
  return lo == hi ? std::to_string(lo) : std::to_string(lo) + "-" + std::to_string(hi);
}
}  // namespace

Checker::Checker(const Program& p, const Target& t, Memory& mem, CheckOptions o)
    : prog_(p), tgt_(t), mem_(mem), opt_(o) {
  sbuf_ = mem.storage(Mem::SBUF);
  psum_ = mem.storage(Mem::PSUM);
  sbuf_bytes_ = mem.storage_bytes(Mem::SBUF);
  psum_bytes_ = mem.storage_bytes(Mem::PSUM);
  if (opt_.uninit) {  // reused from the thread's last run: births clear what a tensor may read
    wsbuf_ = std::move(pool().sbuf);
    wpsum_ = std::move(pool().psum);
    wsbuf_.resize(sbuf_bytes_);
    wpsum_.resize(psum_bytes_);
  }
}

Checker::~Checker() {
  if (!opt_.uninit) return;
  pool().sbuf = std::move(wsbuf_);
  pool().psum = std::move(wpsum_);
}

uint8_t* Checker::shadow(const uint8_t* p) {
  if (p >= sbuf_ && p < sbuf_ + sbuf_bytes_) return wsbuf_.data() + (p - sbuf_);
  if (p >= psum_ && p < psum_ + psum_bytes_) return wpsum_.data() + (p - psum_);
  return nullptr;
}

void Checker::born(uint32_t tensor) {
  if (!opt_.uninit) return;
  pending_.erase(tensor);
  const TensorDecl& t = prog_.tensors[tensor];
  if (!t.on_chip()) return;
  for (int64_t part = 0; part < t.partitions(); ++part)
    std::memset(shadow(mem_.partition_base(t, part)), 0, static_cast<size_t>(t.partition_bytes()));
}

void Checker::mark(const PhysView& v) {
  int64_t isz = size_of(v.dtype);
  for (int64_t p = 0; p < v.pnum; ++p)
    for_each_run(v, p, [&](uint8_t* ptr, int64_t step, int64_t n) {
      if (step == isz) {
        std::memset(shadow(ptr), 1, static_cast<size_t>(n * isz));
        return;
      }
      uint8_t* w = shadow(ptr);  // strided: element by element, inline (no call per element)
      for (int64_t j = 0; j < n; ++j)
        for (int64_t b = 0; b < isz; ++b) w[j * step + b] = 1;
    });
}

void Checker::unmark_row(const PhysView& v, int64_t p) {
  int64_t isz = size_of(v.dtype);
  for_each_run(v, p, [&](uint8_t* ptr, int64_t step, int64_t n) {
    uint8_t* w = shadow(ptr);
    for (int64_t j = 0; j < n; ++j) std::memset(w + j * step, 0, static_cast<size_t>(isz));
  });
}

bool Checker::row_written(const PhysView& v, int64_t p) {
  int64_t isz = size_of(v.dtype), lo = 0, hi = isz;
  for (auto& d : v.free) {  // the row's byte span: from its lowest to its highest byte
    if (d.num <= 0) return true;
    int64_t ext = (d.num - 1) * d.step;
    (ext < 0 ? lo : hi) += ext;
  }
  uint8_t* base = v.origin + p * v.pstep;
  // One test of the whole span decides the common case (everything there written), strided rows included
  // (pool2d's windows): element-by-element only when the span has an unwritten byte.
  if (!std::memchr(shadow(base + lo), 0, static_cast<size_t>(hi - lo))) return true;
  bool ok = true;
  for_each_run(v, p, [&](uint8_t* ptr, int64_t step, int64_t n) {
    if (!ok) return;
    if (step == isz) {
      ok = !std::memchr(shadow(ptr), 0, static_cast<size_t>(n * isz));
      return;
    }
    const uint8_t* w = shadow(ptr);
    uint8_t all = 1;
    for (int64_t j = 0; j < n; ++j)
      for (int64_t b = 0; b < isz; ++b) all &= w[j * step + b];
    ok = all;
  });
  return ok;
}

bool Checker::all_written(const PhysView& v) {
  for (int64_t p = 0; p < v.pnum; ++p)
    if (!row_written(v, p)) return false;
  return true;
}

// The finding: which partitions and elements (of the tensor's own layout) the operand read unwritten.
Diagnostic Checker::uninit_finding(const Instruction& in, size_t k, const PhysView& v) {
  APRef ap = prog_.op(in, k);
  const TensorDecl& t = prog_.tensors[ap.tensor];
  int64_t isz = size_of(v.dtype), tsz = size_of(t.dtype);
  int64_t phys = t.mem == Mem::SBUF ? tgt_.sbuf_partition_bytes : tgt_.psum_partition_bytes;
  uint8_t* base = t.mem == Mem::SBUF ? sbuf_ : psum_;
  int64_t p_lo = INT64_MAX, p_hi = -1, e_lo = INT64_MAX, e_hi = -1, count = 0, total = 0;
  for (int64_t p = 0; p < v.pnum; ++p)
    for_each_run(v, p, [&](uint8_t* ptr, int64_t step, int64_t n) {
      for (int64_t j = 0; j < n; ++j) {
        uint8_t* e = ptr + j * step;
        ++total;
        if (!std::memchr(shadow(e), 0, static_cast<size_t>(isz))) continue;
        ++count;
        int64_t off = e - base;
        int64_t part = off / phys - t.start_partition, elem = (off % phys - t.byte_offset) / tsz;
        p_lo = std::min(p_lo, part);
        p_hi = std::max(p_hi, part);
        e_lo = std::min(e_lo, elem);
        e_hi = std::max(e_hi, elem);
      }
    });
  const OperandSpec* role = role_of(in, k);
  std::string what = role ? "its '" + std::string(role->name) + "' operand reads " : "reads ";
  std::string msg = what + std::string(name_of(t.mem)) + " tile '" + t.name + "' partitions " + range(p_lo, p_hi) +
                    ", elements " + range(e_lo, e_hi) + ", never written (" + std::to_string(count) + " of the " +
                    std::to_string(total) + " elements read)";
  Diagnostic d = prog_.diagnostic_at(
      in, msg, "write those elements first (a load, memset or compute instruction), or read only what was written");
  d.severity = opt_.uninit_is_error ? Severity::Error : Severity::Warning;
  d.code = "uninit-read";
  Diagnostic note;
  note.severity = Severity::Note;
  note.loc = prog_.locs[t.loc].loc;
  note.message = "'" + t.name + "' is allocated here";
  d.notes.push_back(std::move(note));
  return d;
}

void Checker::report(Pending p) {
  if (reported_.insert({p.loc, p.tensor}).second) findings_.push_back(std::move(p.d));
}

// Operands whose offset is only known at run time (dynamic DMA): their static view is not what is touched.
std::vector<bool> Checker::dynamic_operands(uint32_t i, const Instruction& in) const {
  std::vector<bool> dyn(in.num_ops, false);
  if (!(in.flags & kDynamic)) return dyn;
  for (const DynamicOperand& d : prog_.dynamic_of(i))
    if (d.operand < dyn.size()) dyn[d.operand] = true;
  return dyn;
}

void Checker::before(uint32_t i) {
  const Instruction& in = prog_.instrs[i];
  if (in.num_ops == 0) return;
  std::vector<bool> dyn = dynamic_operands(i, in);
  poison_.clear();
  origin_.reset();
  if (opt_.uninit && !is_sync(in)) {  // a synchronization's operands order it, it does not read them
    bool local = lane_local(in) && !(in.flags & kDynamic);
    int64_t pnum = -1;  // lane-local only when every on-chip operand spans the same partitions
    for (size_t k = 0; k < in.num_ops && local; ++k) {
      APRef ap = prog_.op(in, k);
      if (!prog_.tensors[ap.tensor].on_chip()) {
        local = false;
        break;
      }
      int64_t n = mem_.view(ap).pnum;
      local = pnum < 0 || n == pnum;
      pnum = n;
    }
    for (size_t k = 0; k < in.num_ops; ++k) {
      const OperandSpec* role = role_of(in, k);
      APRef ap = prog_.op(in, k);
      // ReadWrite operands (matmul accumulation, predicated copy) keep what is there: not a read of it.
      if (dyn[k] || !role || role->access != Access::Read || reads_part(in, k) || !prog_.tensors[ap.tensor].on_chip())
        continue;
      PhysView v = mem_.view(ap);
      auto from = pending_.find(ap.tensor);
      if (local) {
        for (int64_t p = 0; p < v.pnum; ++p) {
          if (row_written(v, p)) continue;
          poison_.resize(static_cast<size_t>(v.pnum), 0);
          poison_[static_cast<size_t>(p)] = 1;
          if (origin_) continue;
          if (from != pending_.end())
            origin_ = from->second;
          else
            origin_ = Pending{uninit_finding(in, k, v), in.loc, prog_.tensors[ap.tensor].name};
        }
        continue;
      }
      if (all_written(v)) continue;
      if (from == pending_.end()) {
        report({uninit_finding(in, k, v), in.loc, prog_.tensors[ap.tensor].name});
        continue;
      }
      Pending p = from->second;  // values computed from an earlier unwritten read leave their lanes here
      Diagnostic note = prog_.diagnostic_at(
          in, "values computed from the unwritten elements are read from '" + prog_.tensors[ap.tensor].name + "' here");
      note.severity = Severity::Note;
      note.hint.clear();
      p.d.notes.push_back(std::move(note));
      report(std::move(p));
    }
  }
  nonfinite_armed_ = false;
  if (!opt_.nonfinite || nonfinite_done_ || is_sync(in) || (in.flags & kDynamic)) return;
  if (!std::isfinite(in.f0) || !std::isfinite(in.f1)) return;  // a NaN/Inf immediate (memset(-inf)) is meant
  rw_before_.assign(in.num_ops, {});
  for (size_t k = 0; k < in.num_ops; ++k) {
    const OperandSpec* role = role_of(in, k);
    APRef ap = prog_.op(in, k);
    if (!role || !checks_finite(ap.dtype)) continue;
    PhysView v = mem_.view(ap);
    if (role->access == Access::Read) {
      if (!all_finite(v, scratch_)) return;  // non-finite in, non-finite out: not this instruction's doing
    } else if (role->access == Access::ReadWrite) {
      rw_before_[k].resize(static_cast<size_t>(v.pnum * v.free_elems()));
      load_all(v, rw_before_[k].data());
    }
  }
  nonfinite_armed_ = true;
}

void Checker::after(uint32_t i) {
  const Instruction& in = prog_.instrs[i];
  if (in.num_ops == 0) return;
  std::vector<bool> dyn;
  if (opt_.uninit) {
    dyn = dynamic_operands(i, in);
    for (size_t k = 0; k < in.num_ops; ++k) {
      const OperandSpec* role = role_of(in, k);
      APRef ap = prog_.op(in, k);
      const TensorDecl& t = prog_.tensors[ap.tensor];
      if (!t.on_chip() || !role || role->access == Access::Read) continue;
      if (dyn[k]) {  // written somewhere we do not resolve here: count the whole tile as written
        for (int64_t part = 0; part < t.partitions(); ++part)
          std::memset(shadow(mem_.partition_base(t, part)), 1, static_cast<size_t>(t.partition_bytes()));
        continue;
      }
      PhysView v = mem_.view(ap);
      mark(v);
      if (poison_.empty()) continue;
      for (int64_t p = 0; p < v.pnum && p < static_cast<int64_t>(poison_.size()); ++p)
        if (poison_[static_cast<size_t>(p)]) unmark_row(v, p);
      pending_[ap.tensor] = *origin_;
    }
  }
  if (!nonfinite_armed_) return;
  nonfinite_armed_ = false;
  for (size_t k = 0; k < in.num_ops; ++k) {
    const OperandSpec* role = role_of(in, k);
    APRef ap = prog_.op(in, k);
    if (!role || role->access == Access::Read || !checks_finite(ap.dtype)) continue;
    PhysView v = mem_.view(ap);
    int64_t f = v.free_elems();
    scratch_.resize(static_cast<size_t>(std::max<int64_t>(f, 1)));
    for (int64_t p = 0; p < v.pnum; ++p) {
      load_partition(v, p, scratch_.data());
      for (int64_t j = 0; j < f; ++j) {
        float x = scratch_[static_cast<size_t>(j)];
        if (std::isfinite(x)) continue;
        if (in.op == Opcode::TopK && x < 0) continue;  // topk fills the slots past n with -inf by design
        if (!rw_before_[k].empty() && !std::isfinite(rw_before_[k][static_cast<size_t>(p * f + j)])) continue;
        const TensorDecl& t = prog_.tensors[ap.tensor];
        std::string what = std::isnan(x) ? "NaN" : (x > 0 ? "+Inf" : "-Inf");
        Diagnostic d = prog_.diagnostic_at(
            in,
            "the first non-finite value of the run: " + what + " written to '" + t.name + "' (partition " +
                std::to_string(p) + ", element " + std::to_string(j) + " of the '" + std::string(role->name) +
                "' operand) from finite inputs",
            "look for an overflow (exp of a large value, a cast to a narrow dtype), a division by zero or log of 0 "
            "here");
        d.code = "nonfinite";
        findings_.push_back(std::move(d));
        nonfinite_done_ = true;
        return;
      }
    }
  }
}

}  // namespace nkic::sim
