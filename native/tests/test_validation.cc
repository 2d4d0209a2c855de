// What the core refuses before it touches a file: vectors and queries of the
// wrong length or with values no distance can use, build options out of
// range (limits.h), index names and shapes it cannot create, and files that
// do not exist when opened read-only.
#include <cmath>
#include <memory>
#include <string>

#include "harness.h"
#include "index.h"
#include "index_fixtures.h"
#include "limits.h"

using namespace arroy_test;

TEST(input_validation) {
  TempDir dir;
  const std::string path = dir.file("input.arroy");
  std::unique_ptr<Index> index = Index::open(path, create_options(3, Metric::Cosine));
  const float ok[] = {1, 2, 3};
  const float zero[] = {0, 0, 0};
  const float nan[] = {1, NAN, 3};
  const float huge[] = {3e38f, 3e38f, 3e38f};
  CHECK_THROWS_CODE(index->add(1, ok, 2), ErrorCode::DimensionMismatch);
  CHECK_THROWS_CODE(index->add(1, ok, 4), ErrorCode::DimensionMismatch);
  CHECK_THROWS_CODE(index->add(1, zero, 3), ErrorCode::InvalidArgument);
  CHECK_THROWS_CODE(index->add(1, nan, 3), ErrorCode::InvalidArgument);
  CHECK_THROWS_CODE(index->add(1, huge, 3), ErrorCode::InvalidArgument);
  CHECK_THROWS_CODE(index->search(ok, 2, {1, 0}), ErrorCode::DimensionMismatch);
  CHECK_THROWS_CODE(index->search(ok, 4, {1, 0}), ErrorCode::DimensionMismatch);
  CHECK_THROWS_CODE(index->search(zero, 3, {1, 0}), ErrorCode::InvalidArgument);
  CHECK_THROWS_CODE(index->search(nan, 3, {1, 0}), ErrorCode::InvalidArgument);
  CHECK_THROWS_CODE(index->search(huge, 3, {1, 0}), ErrorCode::InvalidArgument);
  CHECK_EQ(index->pending_count(), 0u);
  BuildOptions bad;
  bad.trees = arroy::kMaxTrees + 1;
  CHECK_THROWS_CODE(index->start_build(bad), ErrorCode::InvalidArgument);
  bad = {};
  bad.threads = arroy::kMaxThreads + 1;
  CHECK_THROWS_CODE(index->start_build(bad), ErrorCode::InvalidArgument);
  bad = {};
  bad.bucket_capacity = arroy::kMinBucketCapacity - 1;
  CHECK_THROWS_CODE(index->start_build(bad), ErrorCode::InvalidArgument);
  bad.bucket_capacity = arroy::kMaxBucketCapacity + 1;
  CHECK_THROWS_CODE(index->start_build(bad), ErrorCode::InvalidArgument);
  CHECK_THROWS_CODE(Index::open(path, create_options(arroy::kMaxDimensions + 1, Metric::Cosine, "big")),
                    ErrorCode::InvalidArgument);
  CHECK_THROWS_CODE(Index::open(path, create_options(3, Metric::Cosine, "")), ErrorCode::InvalidArgument);
  const std::string long_name(arroy::kMaxIndexNameBytes + 1, 'n');
  CHECK_THROWS_CODE(Index::open(path, create_options(3, Metric::Cosine, long_name)), ErrorCode::InvalidArgument);
  OpenOptions no_dims = existing("new-one");
  no_dims.metric = Metric::Cosine;
  CHECK_THROWS_CODE(Index::open(path, no_dims), ErrorCode::InvalidArgument);
  TempDir other;
  CHECK_THROWS_CODE(Index::open(other.file("missing.arroy"), existing("vectors", true)), ErrorCode::NotAnIndex);
}
