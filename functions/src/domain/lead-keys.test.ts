import { describe, expect, it } from 'vitest';

import { leadKeys, normaliseCompany, normalisePhone } from './lead-keys.js';

describe('normalisePhone', () => {
  it.each(['+86 138-0013-8000', '138 0013 8000', '13800138000', '+8613800138000'])(
    'reads the Chinese mobile number written "%s" as +8613800138000',
    (written) => {
      expect(normalisePhone(written, 'CN')).toBe('+8613800138000');
    },
  );

  it.each(['(212) 555-0123', '212-555-0123', '+1 212 555 0123'])(
    'reads the US number written "%s" as +12125550123 when the team is in the US',
    (written) => {
      expect(normalisePhone(written, 'US')).toBe('+12125550123');
    },
  );

  it.each(['', '   '])('gives no number for the empty phone "%s"', (written) => {
    expect(normalisePhone(written, 'CN')).toBeNull();
  });
});

describe('normaliseCompany', () => {
  it.each([
    'Star Harbour Trading Co., Ltd.',
    'STAR HARBOUR TRADING CO LTD',
    'star  harbour-trading co. ltd',
    'Ｓｔａｒ Ｈａｒｂｏｕｒ Ｔｒａｄｉｎｇ Ｃｏ．，Ｌｔｄ．',
  ])('folds "%s" to one name', (written) => {
    expect(normaliseCompany(written)).toBe('starharbourtradingcoltd');
  });

  it('folds full-width brackets out of a Chinese company name', () => {
    expect(normaliseCompany('上海星港贸易（有限公司）')).toBe(
      normaliseCompany('上海星港贸易有限公司'),
    );
  });
});

describe('leadKeys', () => {
  it('gives the same keys to one lead typed two ways', () => {
    const typed = leadKeys({ company: 'Star Harbour Trading', phone: '+86 138-0013-8000' }, 'CN');
    const retyped = leadKeys({ company: 'star harbour trading.', phone: '13800138000' }, 'CN');

    expect(retyped).toEqual(typed);
  });

  it('gives a lead without a phone only its company key', () => {
    expect(leadKeys({ company: 'Star Harbour Trading', phone: '' }, 'CN')).toEqual([
      'company:starharbourtrading',
    ]);
  });
});
