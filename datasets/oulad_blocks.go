package datasets

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"sync"
)

// ouladBlockSize is the read size of ouladScanFileParallel: each block holds
// the whole lines of about this many bytes (256 KB: about 6,000 click
// rows, far more than a hand-off costs; 2*workers+2 blocks are in flight).
const ouladBlockSize = 1 << 18

// ouladBlock is a run of whole lines of a file: read in file order by one
// goroutine, parsed by any worker into out, then applied in file order.
type ouladBlock[O any] struct {
	buf       []byte // the lines are buf[skip:n]
	skip, n   int    // skip: the header line, in the file's first block
	firstLine int    // line number of the line at buf[skip]
	eof       bool   // the file's last block
	err       error  // a read error (the block is not parsed)
	rows      int    // data rows parsed (set by the worker)
	parsed    chan error
	out       O
}

// ouladBlockWorker parses the lines of the blocks one worker goroutine is
// given. Each worker has its own, so they share no mutable state.
type ouladBlockWorker[O any] interface {
	// begin empties out and directs the rows parsed next into it.
	begin(out *O)
	// fast is the ouladFastFunc of the file (used only when the header
	// has exactly the wanted columns in the wanted order).
	fast(line []byte) bool
	// row is the ouladRowFunc of the file.
	row(line int, rec [][]byte) error
}

// ouladScanFileParallel streams the CSV file name from fsys like
// ouladScanFile (same accepted format, header check, SHA-256 and row count
// in the FileInfo), but parses it on one goroutine per worker: a reading
// goroutine cuts the file into blocks of whole lines of about blockSize
// bytes (longer for a longer line) and hashes them, the workers parse
// blocks as they come, each into its block's output, and apply is called
// with the outputs in file order on the calling goroutine. Whatever the
// number of workers, apply sees the same outputs in the same order, and
// the error returned is the first in file order (a read error, a row's
// error, or apply's). At most 2*len(workers)+2 blocks exist at a time, so
// memory does not grow with the file.
func ouladScanFileParallel[O any](fsys fs.FS, name string, want []string, blockSize int, workers []ouladBlockWorker[O], apply func(out *O) error) (FileInfo, error) {
	if len(workers) == 0 || blockSize < 1 {
		panic("datasets: ouladScanFileParallel needs a worker and a positive block size")
	}
	f, err := fsys.Open(name)
	if err != nil {
		return FileInfo{}, fmt.Errorf("oulad: %w", err)
	}
	defer f.Close()

	nblocks := 2*len(workers) + 2
	free := make(chan *ouladBlock[O], nblocks)
	for range nblocks {
		free <- &ouladBlock[O]{buf: make([]byte, blockSize), parsed: make(chan error, 1)}
	}
	// Every block read goes to work (unless it failed) and to ordered;
	// neither can fill up, as only nblocks blocks exist.
	work := make(chan *ouladBlock[O], nblocks)
	ordered := make(chan *ouladBlock[O], nblocks)
	quit := make(chan struct{})
	hash := sha256.New()
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		ouladReadBlocks(f, hash, free, work, ordered, quit)
	}()
	// Stop the goroutines before the deferred Close runs.
	defer wg.Wait()
	defer close(quit)

	first := <-ordered
	if first.err != nil {
		return FileInfo{}, fmt.Errorf("oulad: read %s: %w", name, first.err)
	}
	if first.n == 0 {
		return FileInfo{}, fmt.Errorf("oulad: %s: empty file, no header line", name)
	}
	header := ouladLineParser{file: name, want: want, fast: func([]byte) bool { return false }}
	if err := header.line(bytes.TrimSuffix(first.buf[:first.skip], []byte("\n"))); err != nil {
		return FileInfo{}, err
	}
	for _, w := range workers {
		p := &ouladLineParser{file: name, want: want, fn: w.row, nfields: header.nfields, idx: header.idx, rec: make([][]byte, len(want))}
		if header.fast != nil {
			p.fast = w.fast
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-quit:
					return
				case b := <-work:
					b.parsed <- ouladParseBlock(p, w, b)
				}
			}
		}()
	}

	rows := 0
	for b := first; ; b = <-ordered {
		if b.err != nil {
			return FileInfo{}, fmt.Errorf("oulad: read %s: %w", name, b.err)
		}
		if err := <-b.parsed; err != nil {
			return FileInfo{}, err
		}
		if err := apply(&b.out); err != nil {
			return FileInfo{}, err
		}
		rows += b.rows
		if b.eof {
			break
		}
		free <- b
	}
	return FileInfo{Path: name, SHA256: hex.EncodeToString(hash.Sum(nil)), Rows: rows}, nil
}

// ouladParseBlock runs a block's lines through p, a worker's parser whose
// fast and row functions are w's.
func ouladParseBlock[O any](p *ouladLineParser, w ouladBlockWorker[O], b *ouladBlock[O]) error {
	w.begin(&b.out)
	p.lineNo, p.rows = b.firstLine-1, 0
	data := b.buf[b.skip:b.n]
	for len(data) > 0 {
		i := bytes.IndexByte(data, '\n')
		if i < 0 { // the file's last line, without a line end
			i = len(data)
		}
		if err := p.line(data[:i]); err != nil {
			return err
		}
		data = data[min(i+1, len(data)):]
	}
	b.rows = p.rows
	return nil
}

// ouladReadBlocks reads r into blocks taken from free, each ending at a
// line end (the last one at the end of the file), hashes the bytes in file
// order and sends each block to work and ordered, until the end of the
// file, a read error (sent to ordered only) or quit. The file's first line
// is the header: the first block's skip covers it.
func ouladReadBlocks[O any](r io.Reader, hash hash.Hash, free <-chan *ouladBlock[O], work, ordered chan<- *ouladBlock[O], quit <-chan struct{}) {
	var carry []byte // the start of a line cut by the previous block's end
	line := 1
	for first := true; ; first = false {
		var b *ouladBlock[O]
		select {
		case b = <-free:
		case <-quit:
			return
		}
		if len(carry) >= len(b.buf) {
			b.buf = make([]byte, 2*len(carry))
		}
		total := copy(b.buf, carry)
		b.eof, b.err = false, nil
		for {
			n, err := io.ReadFull(r, b.buf[total:])
			hash.Write(b.buf[total : total+n])
			total += n
			if err == io.EOF || err == io.ErrUnexpectedEOF {
				b.eof = true
				break
			}
			if err != nil {
				b.err = err
				break
			}
			if bytes.LastIndexByte(b.buf[:total], '\n') >= 0 {
				break
			}
			// A line longer than the block: grow the block.
			grown := make([]byte, 2*len(b.buf))
			copy(grown, b.buf[:total])
			b.buf = grown
		}
		b.n = total
		if !b.eof {
			b.n = bytes.LastIndexByte(b.buf[:total], '\n') + 1
		}
		carry = append(carry[:0], b.buf[b.n:total]...)
		b.skip, b.firstLine = 0, line
		if first && b.err == nil {
			b.skip = b.n
			if i := bytes.IndexByte(b.buf[:b.n], '\n'); i >= 0 {
				b.skip = i + 1
			}
			b.firstLine = 2
		}
		line += bytes.Count(b.buf[:b.n], []byte{'\n'})
		if b.err == nil {
			select {
			case work <- b:
			case <-quit:
				return
			}
		}
		select {
		case ordered <- b:
		case <-quit:
			return
		}
		if b.eof || b.err != nil {
			return
		}
	}
}
