// A list of fixed-size RTCP items that is either read from the wire or supplied for building.
//
// Parsed messages point at their items in the datagram (decoded on access, no copy); messages
// to be written point at the caller's array. Either way the storage must outlive the list.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <type_traits>

namespace rrtc::rtcp {

// Specialize with: static constexpr std::size_t kSize; static T read(const uint8_t*);
// static void write(uint8_t*, const T&).
template <typename T>
struct WireCodec;

// SSRC lists (BYE, REMB).
template <>
struct WireCodec<std::uint32_t> {
  static constexpr std::size_t kSize = 4;
  static std::uint32_t read(const std::uint8_t* p) {
    return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) |
           std::uint32_t{p[3]};
  }
  static void write(std::uint8_t* p, std::uint32_t v) {
    p[0] = static_cast<std::uint8_t>(v >> 24);
    p[1] = static_cast<std::uint8_t>(v >> 16);
    p[2] = static_cast<std::uint8_t>(v >> 8);
    p[3] = static_cast<std::uint8_t>(v);
  }
};

template <typename T>
class WireList {
 public:
  WireList() = default;
  // Implicit from anything contiguous of T (array, std::vector, span), so building reads like
  // `report.report_blocks = blocks;`.
  template <typename Range>
  requires std::is_constructible_v < std::span<const T>,
  const Range& > WireList(const Range& items)  // NOLINT(google-explicit-constructor)
      : items_(std::span<const T>(items)),
  size_(items_.size()) {}
  static WireList from_wire(std::span<const std::uint8_t> bytes) {
    WireList list;
    list.wire_ = bytes;
    list.from_wire_ = true;
    list.size_ = bytes.size() / WireCodec<T>::kSize;
    return list;
  }

  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  T operator[](std::size_t i) const {
    return from_wire_ ? WireCodec<T>::read(&wire_[i * WireCodec<T>::kSize]) : items_[i];
  }
  std::size_t wire_size() const { return size_ * WireCodec<T>::kSize; }
  std::uint8_t* write(std::uint8_t* out) const {
    for (std::size_t i = 0; i < size_; ++i, out += WireCodec<T>::kSize) {
      WireCodec<T>::write(out, (*this)[i]);
    }
    return out;
  }

  class Iterator {
   public:
    Iterator(const WireList* list, std::size_t i) : list_(list), i_(i) {}
    T operator*() const { return (*list_)[i_]; }
    Iterator& operator++() {
      ++i_;
      return *this;
    }
    bool operator==(const Iterator& other) const { return i_ == other.i_; }
    bool operator!=(const Iterator& other) const { return i_ != other.i_; }

   private:
    const WireList* list_;
    std::size_t i_;
  };
  Iterator begin() const { return Iterator(this, 0); }
  Iterator end() const { return Iterator(this, size_); }

  friend bool operator==(const WireList& a, const WireList& b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
      if (!(a[i] == b[i])) return false;
    }
    return true;
  }

 private:
  std::span<const std::uint8_t> wire_;
  std::span<const T> items_;
  std::size_t size_ = 0;
  bool from_wire_ = false;
};

}  // namespace rrtc::rtcp
